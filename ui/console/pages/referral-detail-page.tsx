import type { Hono } from 'hono';
import { ApiError } from '../../../hub/http/api-error.js';
import { referralJson } from '../../../schema/public-json.js';
import { REFERRAL_STATUSES, type ReferralStatus } from '../../../schema/tables/referrals.js';
import { ActionButton, canChange } from '../components/action-button.js';
import { StatusBadge } from '../components/status-badge.js';
import { TimeText } from '../components/time-text.js';
import { consolePage } from '../console-page.js';
import { principalFor, type ConsoleEnv } from '../console-env.js';
import { formText, readForm } from '../read-form.js';
import { herePath, oneOf } from './people/list-query.js';
import { Money } from './people/money.js';
import type { PeopleServices } from './people/people-services.js';
import { programNames } from './people/program-names.js';
import { RewardTable } from './people/reward-table.js';

/** The buttons a referral offers from each status: forward only, or denied (the service's rule). */
const NEXT: Record<ReferralStatus, { status: ReferralStatus; label: string }[]> = {
  pending: [
    { status: 'qualified', label: 'Qualify' },
    { status: 'approved', label: 'Approve referral' },
    { status: 'denied', label: 'Deny referral' },
  ],
  qualified: [
    { status: 'approved', label: 'Approve referral' },
    { status: 'denied', label: 'Deny referral' },
  ],
  approved: [{ status: 'denied', label: 'Deny referral' }],
  denied: [],
};

/** One referral: who referred them, its business activity and rewards, and its status changes. */
export function registerReferralDetailPage(ui: Hono<ConsoleEnv>, s: PeopleServices) {
  ui.get('/referrals/:id', async (c) => {
    const principal = principalFor(c.get('user'));
    const r = referralJson(await s.referrals.get(principal, c.req.param('id')));
    const [member, programs, activity, rewards] = await Promise.all([
      s.members.summaries(principal, [r.memberId]).then((m) => m.get(r.memberId)),
      programNames(s, principal),
      s.businessEvents.forReferral(principal, r.id),
      s.rewards.list(principal, { referralId: r.id, limit: 100 }),
    ]);
    const name = [r.firstName, r.lastName].filter(Boolean).join(' ');
    return consolePage(
      c,
      `Referral ${r.email}`,
      <>
        <section aria-labelledby="referral-facts">
          <h2 id="referral-facts">Details</h2>
          <dl class="facts">
            <dt>Referral id</dt>
            <dd>
              <code>{r.id}</code>
            </dd>
            <dt>Status</dt>
            <dd>
              <StatusBadge status={r.status} />
            </dd>
            <dt>Referred</dt>
            <dd>
              {r.email}
              {name ? ` (${name})` : ''}
            </dd>
            <dt>Referred by</dt>
            <dd>
              <a href={`/ui/members/${r.memberId}`}>{member ? member.name || member.email : r.memberId}</a>
            </dd>
            <dt>Program</dt>
            <dd>{programs.get(r.programId) ?? r.programId}</dd>
            <dt>Amount</dt>
            <dd>
              <Money amount={r.amount} currency={r.currency} />
            </dd>
            <dt>Order id</dt>
            <dd>{r.orderId ?? <span class="muted">—</span>}</dd>
            <dt>External id</dt>
            <dd>{r.externalId ?? <span class="muted">—</span>}</dd>
            <dt>Phone</dt>
            <dd>{r.phone ?? <span class="muted">—</span>}</dd>
            <dt>Source</dt>
            <dd>{r.source}</dd>
            <dt>Fraud flags</dt>
            <dd>{r.fraudFlags.length ? r.fraudFlags.map((f) => f.replaceAll('_', ' ')).join(', ') : 'none'}</dd>
            <dt>Created</dt>
            <dd>
              <TimeText at={r.createdAt} />
            </dd>
            <dt>Updated</dt>
            <dd>
              <TimeText at={r.updatedAt} />
            </dd>
          </dl>
          {canChange(c) && NEXT[r.status].length > 0 ? (
            <p>
              {NEXT[r.status].map((n) => (
                <ActionButton
                  c={c}
                  action={`/ui/referrals/${r.id}/status`}
                  label={n.label}
                  fields={{ status: n.status }}
                  kind={n.status === 'denied' ? 'danger' : undefined}
                  confirm={n.status === 'denied' ? 'Deny this referral? A denied referral cannot be reopened.' : undefined}
                />
              ))}
            </p>
          ) : null}
        </section>

        <section aria-labelledby="referral-activity">
          <h2 id="referral-activity">Business activity</h2>
          {activity.length === 0 ? (
            <p class="muted">No business events recorded.</p>
          ) : (
            <div class="table-wrap">
              <table>
                <thead>
                  <tr>
                    <th>Event</th>
                    <th class="num">Amount</th>
                    <th>Occurred</th>
                    <th>Recorded</th>
                  </tr>
                </thead>
                <tbody>
                  {activity.map((e) => (
                    <tr>
                      <td>{e.type}</td>
                      <td class="num">
                        <Money amount={e.amount} currency={e.currency} />
                      </td>
                      <td>
                        <TimeText at={e.occurredAt} />
                      </td>
                      <td>
                        <TimeText at={e.createdAt} />
                      </td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          )}
        </section>

        <section aria-labelledby="referral-rewards">
          <h2 id="referral-rewards">Rewards</h2>
          <RewardTable c={c} rewards={rewards.data} back={herePath(c)} />
        </section>
      </>,
    );
  });

  ui.post('/referrals/:id/status', async (c) => {
    const id = c.req.param('id');
    const status = oneOf(formText(await readForm(c), 'status'), REFERRAL_STATUSES);
    if (!status) throw new ApiError('validation_failed', `Unknown referral status; use one of ${REFERRAL_STATUSES.join(', ')}`);
    try {
      const updated = await s.referrals.changeStatus(principalFor(c.get('user')), id, status);
      s.deps.cookies.flash(c, `Referral is now ${updated.status}.`);
    } catch (err) {
      // A refused transition (someone else moved it meanwhile) is told, not an error page; not found stays a 404.
      if (!(err instanceof ApiError) || err.status !== 422) throw err;
      s.deps.cookies.flash(c, `Status not changed: ${err.message}.`);
    }
    return c.redirect(`/ui/referrals/${id}`, 303);
  });
}
