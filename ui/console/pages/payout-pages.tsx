import type { Hono } from 'hono';
import { PAYOUT_STATUSES } from '../../../schema/tables/payouts.js';
import { Field } from '../components/field.js';
import { Pager } from '../components/pager.js';
import { SelectField } from '../components/select-field.js';
import { StatusBadge } from '../components/status-badge.js';
import { TimeText } from '../components/time-text.js';
import { consolePage } from '../console-page.js';
import { principalFor, type ConsoleEnv } from '../console-env.js';
import { listQuery, oneOf, PAGE_SIZE } from './people/list-query.js';
import { Money } from './people/money.js';
import type { PeopleServices } from './people/people-services.js';
import { programNames, programOptions } from './people/program-names.js';

export const HOLD_REASONS: Record<string, string> = {
  auto_pay_off: 'automatic payouts are off for the program',
  daily_cap: "above the program's daily payout cap",
};

/** Payouts, newest first, filtered by status, program and member (the payout list's own filters). */
export function registerPayoutListPage(ui: Hono<ConsoleEnv>, s: PeopleServices) {
  ui.get('/payouts', async (c) => {
    const principal = principalFor(c.get('user'));
    const q = listQuery(c, ['status', 'program', 'member', 'cursor'] as const);
    const programs = await programNames(s, principal);
    const page = await s.payouts.list(principal, {
      status: oneOf(q.status, PAYOUT_STATUSES),
      programId: q.program,
      memberId: q.member,
      limit: PAGE_SIZE,
      cursor: q.cursor,
    });
    const members = await s.members.summaries(
      principal,
      page.data.map((p) => p.memberId),
    );
    const filtered = Object.keys(q).some((k) => k !== 'cursor');
    return consolePage(
      c,
      'Payouts',
      <>
        <form class="filters" method="get" action="/ui/payouts" role="search" aria-label="Filter payouts">
          <SelectField name="status" label="Status" options={[...PAYOUT_STATUSES]} value={q.status} empty="Any status" />
          <SelectField name="program" label="Program" options={programOptions(programs)} value={q.program} empty="All programs" />
          <Field name="member" label="Member id" value={q.member} hint="From the member's page" />
          <div>
            <button type="submit" class="secondary">
              Filter
            </button>
          </div>
        </form>
        {page.data.length === 0 ? (
          <p class="muted">{filtered ? 'No payout matches.' : 'No payouts yet.'}</p>
        ) : (
          <div class="table-wrap">
            <table>
              <thead>
                <tr>
                  <th>Payout</th>
                  <th>Member</th>
                  <th>Program</th>
                  <th class="num">Amount</th>
                  <th>Provider</th>
                  <th>Status</th>
                  <th>Attempts</th>
                  <th>Created</th>
                </tr>
              </thead>
              <tbody>
                {page.data.map((p) => {
                  const member = members.get(p.memberId);
                  return (
                    <tr>
                      <td>
                        <a href={`/ui/payouts/${p.id}`}>{p.id}</a>
                      </td>
                      <td>
                        <a href={`/ui/members/${p.memberId}`}>{member ? member.name || member.email : p.memberId}</a>
                        {p.recipientReferralId ? <div class="muted">paid to the referred friend</div> : null}
                      </td>
                      <td>{programs.get(p.programId) ?? p.programId}</td>
                      <td class="num">
                        <Money amount={p.amount} currency={p.currency} />
                      </td>
                      <td>{p.provider ?? <span class="muted">not chosen yet</span>}</td>
                      <td>
                        <StatusBadge status={p.status} />
                        {p.holdReason ? <div class="muted">{HOLD_REASONS[p.holdReason] ?? p.holdReason}</div> : null}
                        {p.failureCode ? <div class="muted">{p.failureCode}</div> : null}
                      </td>
                      <td class="num">{p.attempts}</td>
                      <td>
                        <TimeText at={p.createdAt} />
                      </td>
                    </tr>
                  );
                })}
              </tbody>
            </table>
          </div>
        )}
        <Pager path="/ui/payouts" query={q} nextCursor={page.nextCursor} />
      </>,
    );
  });
}
