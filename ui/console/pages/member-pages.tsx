import type { Hono } from 'hono';
import { Field } from '../components/field.js';
import { Pager } from '../components/pager.js';
import { SelectField } from '../components/select-field.js';
import { TimeText } from '../components/time-text.js';
import { consolePage } from '../console-page.js';
import { principalFor, type ConsoleEnv } from '../console-env.js';
import { listQuery, PAGE_SIZE } from './people/list-query.js';
import type { PeopleServices } from './people/people-services.js';
import { programNames, programOptions } from './people/program-names.js';

/**
 * The members list: one search box over the keys the member service can find fast (email,
 * referral code, external id, member id; exact) and a program filter. Members have no status of
 * their own: a deleted member's personal data is gone and they leave the list.
 */
export function registerMemberListPage(ui: Hono<ConsoleEnv>, s: PeopleServices) {
  ui.get('/members', async (c) => {
    const principal = principalFor(c.get('user'));
    const q = listQuery(c, ['q', 'program', 'cursor'] as const);
    const programs = await programNames(s, principal);
    const page = await s.members.list(principal, { search: q.q, programId: q.program, limit: PAGE_SIZE, cursor: q.cursor });
    return consolePage(
      c,
      'Members',
      <>
        <form class="filters" method="get" action="/ui/members" role="search" aria-label="Find members">
          <Field name="q" label="Search" type="search" value={q.q} hint="Email, referral code, external id or member id (exact)" />
          <SelectField name="program" label="Program" options={programOptions(programs)} value={q.program} empty="All programs" />
          <div>
            <button type="submit" class="secondary">
              Search
            </button>
          </div>
        </form>
        {page.data.length === 0 ? (
          <p class="muted">{q.q || q.program ? 'No member matches.' : 'No members yet.'}</p>
        ) : (
          <div class="table-wrap">
            <table>
              <thead>
                <tr>
                  <th>Member</th>
                  <th>Email</th>
                  <th>Program</th>
                  <th>Referral code</th>
                  <th>External id</th>
                  <th>Joined</th>
                </tr>
              </thead>
              <tbody>
                {page.data.map((m) => (
                  <tr>
                    <td>
                      <a href={`/ui/members/${m.id}`}>{[m.firstName, m.lastName].filter(Boolean).join(' ') || m.id}</a>
                    </td>
                    <td>{m.email}</td>
                    <td>{programs.get(m.programId) ?? m.programId}</td>
                    <td>
                      <code>{m.referralCode}</code>
                    </td>
                    <td>{m.externalId ?? <span class="muted">—</span>}</td>
                    <td>
                      <TimeText at={m.createdAt} />
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
        <Pager path="/ui/members" query={q} nextCursor={page.nextCursor} />
      </>,
    );
  });
}
