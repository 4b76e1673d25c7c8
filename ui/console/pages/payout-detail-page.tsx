import type { Context, Hono } from 'hono';
import { markPaidSchema } from '../../../hub/contracts/payout-contract.js';
import { ApiError } from '../../../hub/http/api-error.js';
import type { PayoutStatus } from '../../../schema/tables/payouts.js';
import { ActionButton, canChange } from '../components/action-button.js';
import { Field, type FieldErrors } from '../components/field.js';
import { FormAlert } from '../components/form-alert.js';
import { StatusBadge } from '../components/status-badge.js';
import { TimeText } from '../components/time-text.js';
import { CsrfField } from '../console-layout.js';
import { consolePage } from '../console-page.js';
import { principalFor, type ConsoleEnv } from '../console-env.js';
import { formErrors } from '../form-errors.js';
import { formText, readForm } from '../read-form.js';
import { herePath } from './people/list-query.js';
import { Money } from './people/money.js';
import type { PeopleServices } from './people/people-services.js';
import { programNames } from './people/program-names.js';
import { RewardTable } from './people/reward-table.js';
import { HOLD_REASONS } from './payout-pages.js';

type Payout = Awaited<ReturnType<PeopleServices['payouts']['get']>>;

// Which buttons a payout shows; the payout service decides for real (and says why it refuses).
const canSend = (p: Payout) => p.status === 'pending';
const canRetry = (p: Payout) => p.status === 'failed';
const canCancel = (p: Payout) =>
  (['pending', 'waiting_provider', 'failed'] as PayoutStatus[]).includes(p.status) ||
  (p.provider === 'manual' && (p.status === 'sending' || p.status === 'sent'));
const canMarkPaid = (p: Payout) => (p.provider === null || p.provider === 'manual') && ['pending', 'sending', 'sent'].includes(p.status);

const DONE = { send: 'Payout sent on its way.', retry: 'Payout sent again.', cancel: 'Payout cancelled; its rewards are approved again.' };

/** One payout: the rewards it settles, where it stands with its provider, and the payout actions. */
export function registerPayoutDetailPage(ui: Hono<ConsoleEnv>, s: PeopleServices) {
  ui.get('/payouts/:id', (c) => payoutPage(c, s, c.req.param('id')));

  for (const action of ['send', 'retry', 'cancel'] as const) {
    ui.post(`/payouts/:id/${action}`, async (c) => {
      const id = c.req.param('id');
      const principal = principalFor(c.get('user'));
      try {
        const before = await s.payouts.get(principal, id);
        const p = await s.payouts[action](principal, id);
        const status = p.status.replaceAll('_', ' ');
        // A second click answers the payout as it is (the service is idempotent): say so rather than "sent again".
        const unchanged = p.status === before.status && p.attempts === before.attempts;
        s.deps.cookies.flash(c, unchanged ? `Nothing to do: the payout is already ${status}.` : `${DONE[action]} Status: ${status}.`);
      } catch (err) {
        if (!(err instanceof ApiError) || err.status !== 409) throw err;
        s.deps.cookies.flash(c, err.message);
      }
      return c.redirect(`/ui/payouts/${id}`, 303);
    });
  }

  ui.post('/payouts/:id/mark-paid', async (c) => {
    const id = c.req.param('id');
    const reference = formText(await readForm(c), 'reference');
    try {
      const input = markPaidSchema.parse({ reference });
      await s.payouts.markPaid(principalFor(c.get('user')), id, input.reference);
    } catch (err) {
      if (err instanceof ApiError && err.status === 409) {
        s.deps.cookies.flash(c, err.message);
        return c.redirect(`/ui/payouts/${id}`, 303);
      }
      const e = formErrors(err);
      return payoutPage(c, s, id, { reference, message: e.message, errors: e.fields }, e.status);
    }
    s.deps.cookies.flash(c, 'Payout marked paid.');
    return c.redirect(`/ui/payouts/${id}`, 303);
  });
}

async function payoutPage(
  c: Context<ConsoleEnv>,
  s: PeopleServices,
  id: string,
  markPaid: { reference: string; message?: string; errors?: FieldErrors } = { reference: '' },
  status: 200 | 403 | 404 | 409 | 422 = 200,
) {
  const principal = principalFor(c.get('user'));
  const p = await s.payouts.get(principal, id);
  const [members, programs, rewards] = await Promise.all([
    s.members.summaries(principal, [p.memberId]),
    programNames(s, principal),
    s.rewards.byIds(principal, p.rewardIds),
  ]);
  const member = members.get(p.memberId);
  const none = <span class="muted">—</span>;
  return consolePage(
    c,
    `Payout ${p.id}`,
    <>
      <section aria-labelledby="payout-facts">
        <h2 id="payout-facts">Details</h2>
        <dl class="facts">
          <dt>Status</dt>
          <dd>
            <StatusBadge status={p.status} />
          </dd>
          <dt>Amount</dt>
          <dd>
            <Money amount={p.amount} currency={p.currency} /> ({p.rewardKind})
          </dd>
          <dt>Member</dt>
          <dd>
            <a href={`/ui/members/${p.memberId}`}>{member ? member.name || member.email : p.memberId}</a>
          </dd>
          {p.recipientReferralId ? (
            <>
              <dt>Paid to</dt>
              <dd>
                the referred friend (<a href={`/ui/referrals/${p.recipientReferralId}`}>referral</a>)
              </dd>
            </>
          ) : null}
          <dt>Program</dt>
          <dd>{programs.get(p.programId) ?? p.programId}</dd>
          <dt>Provider</dt>
          <dd>{p.provider ?? 'not chosen yet'}</dd>
          <dt>Connector</dt>
          <dd>{p.connectorId ?? none}</dd>
          <dt>Provider reference</dt>
          <dd>{p.providerReference ?? none}</dd>
          <dt>Hold reason</dt>
          <dd>{p.holdReason ? (HOLD_REASONS[p.holdReason] ?? p.holdReason) : none}</dd>
          <dt>Failure code</dt>
          <dd>{p.failureCode ?? none}</dd>
          <dt>Failure reason</dt>
          <dd>{p.failureReason ?? none}</dd>
          <dt>Attempts</dt>
          <dd>{p.attempts}</dd>
          <dt>Created</dt>
          <dd>
            <TimeText at={p.createdAt} />
          </dd>
          <dt>Sent</dt>
          <dd>
            <TimeText at={p.sentAt} />
          </dd>
          <dt>Paid</dt>
          <dd>
            <TimeText at={p.paidAt} />
          </dd>
        </dl>
        <p>
          {canSend(p) ? <ActionButton c={c} action={`/ui/payouts/${p.id}/send`} label="Send payout" /> : null}
          {canRetry(p) ? <ActionButton c={c} action={`/ui/payouts/${p.id}/retry`} label="Retry payout" /> : null}
          {canCancel(p) ? (
            <ActionButton
              c={c}
              action={`/ui/payouts/${p.id}/cancel`}
              label="Cancel payout"
              kind="danger"
              confirm="Cancel this payout? Its rewards go back to approved."
            />
          ) : null}
        </p>
      </section>

      {canChange(c) && canMarkPaid(p) ? (
        <section aria-labelledby="payout-mark-paid">
          <h2 id="payout-mark-paid">Mark paid</h2>
          <p class="hint">For payouts paid by hand (a manual connector): record your own reference for the payment.</p>
          <form method="post" action={`/ui/payouts/${p.id}/mark-paid`}>
            <CsrfField c={c} />
            <FormAlert message={markPaid.message} />
            <Field name="reference" label="Payment reference" value={markPaid.reference} errors={markPaid.errors} required />
            <button type="submit">Mark paid</button>
          </form>
        </section>
      ) : null}

      <section aria-labelledby="payout-rewards">
        <h2 id="payout-rewards">Rewards covered</h2>
        <RewardTable c={c} rewards={rewards} back={herePath(c)} />
      </section>
    </>,
    status,
  );
}
