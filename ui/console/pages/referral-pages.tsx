import type { Hono } from 'hono';
import { REFERRAL_STATUSES } from '../../../schema/tables/referrals.js';
import { Field } from '../components/field.js';
import { Pager } from '../components/pager.js';
import { SelectField } from '../components/select-field.js';
import { StatusBadge } from '../components/status-badge.js';
import { TimeText } from '../components/time-text.js';
import { consolePage } from '../console-page.js';
import { principalFor, type ConsoleEnv } from '../console-env.js';
import { dayStart, listQuery, oneOf, PAGE_SIZE } from './people/list-query.js';
import { Money } from './people/money.js';
import type { PeopleServices } from './people/people-services.js';
import { programNames, programOptions } from './people/program-names.js';

/**
 * The referrals list: search by exact email, external id, order id or referral id; filters by
 * program, status and creation day (a range on the time-ordered id, so it stays an index scan).
 */
export function registerReferralListPage(ui: Hono<ConsoleEnv>, s: PeopleServices) {
  ui.get('/referrals', async (c) => {
    const principal = principalFor(c.get('user'));
    const q = listQuery(c, ['q', 'program', 'status', 'from', 'to', 'member', 'cursor'] as const);
    const programs = await programNames(s, principal);
    const page = await s.referrals.list(principal, {
      search: q.q,
      programId: q.program,
      status: oneOf(q.status, REFERRAL_STATUSES),
      memberId: q.member,
      createdFrom: dayStart(q.from),
      // The "to" day is included: up to the start of the next one.
      createdBefore: dayStart(q.to, 1),
      limit: PAGE_SIZE,
      cursor: q.cursor,
    });
    const members = await s.members.summaries(
      principal,
      page.data.map((r) => r.memberId),
    );
    const filtered = Object.keys(q).some((k) => k !== 'cursor');
    return consolePage(
      c,
      'Referrals',
      <>
        <form class="filters" method="get" action="/ui/referrals" role="search" aria-label="Find referrals">
          <Field name="q" label="Search" type="search" value={q.q} hint="Email, external id, order id or referral id (exact)" />
          <SelectField name="program" label="Program" options={programOptions(programs)} value={q.program} empty="All programs" />
          <SelectField name="status" label="Status" options={[...REFERRAL_STATUSES]} value={q.status} empty="Any status" />
          <Field name="from" label="Created from" type="date" value={q.from} />
          <Field name="to" label="Created to" type="date" value={q.to} />
          {q.member ? <input type="hidden" name="member" value={q.member} /> : null}
          <div>
            <button type="submit" class="secondary">
              Search
            </button>
          </div>
        </form>
        {q.member ? (
          <p class="muted">
            Only referrals of member <a href={`/ui/members/${q.member}`}>{q.member}</a>. <a href="/ui/referrals">Show all</a>
          </p>
        ) : null}
        {page.data.length === 0 ? (
          <p class="muted">{filtered ? 'No referral matches.' : 'No referrals yet.'}</p>
        ) : (
          <div class="table-wrap">
            <table>
              <thead>
                <tr>
                  <th>Referred</th>
                  <th>Member</th>
                  <th>Program</th>
                  <th>Status</th>
                  <th class="num">Amount</th>
                  <th>Source</th>
                  <th>Flags</th>
                  <th>Created</th>
                </tr>
              </thead>
              <tbody>
                {page.data.map((r) => {
                  const member = members.get(r.memberId);
                  return (
                    <tr>
                      <td>
                        <a href={`/ui/referrals/${r.id}`}>{r.email}</a>
                      </td>
                      <td>
                        <a href={`/ui/members/${r.memberId}`}>{member ? member.name || member.email : r.memberId}</a>
                      </td>
                      <td>{programs.get(r.programId) ?? r.programId}</td>
                      <td>
                        <StatusBadge status={r.status} />
                      </td>
                      <td class="num">
                        <Money amount={r.amount} currency={r.currency} />
                      </td>
                      <td>{r.source}</td>
                      <td>
                        {r.fraudFlags.length ? r.fraudFlags.map((f) => f.replaceAll('_', ' ')).join(', ') : <span class="muted">—</span>}
                      </td>
                      <td>
                        <TimeText at={r.createdAt} />
                      </td>
                    </tr>
                  );
                })}
              </tbody>
            </table>
          </div>
        )}
        <Pager path="/ui/referrals" query={q} nextCursor={page.nextCursor} />
      </>,
    );
  });
}
