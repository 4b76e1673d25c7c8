import type { Context, Hono } from 'hono';
import { memberPatchSchema } from '../../../hub/contracts/member-contract.js';
import { inviteCreateSchema } from '../../../hub/contracts/invite-contract.js';
import { ActionButton, canChange } from '../components/action-button.js';
import { Field, type FieldErrors } from '../components/field.js';
import { FormAlert } from '../components/form-alert.js';
import { StatusBadge } from '../components/status-badge.js';
import { TimeText } from '../components/time-text.js';
import { CsrfField } from '../console-layout.js';
import { consolePage } from '../console-page.js';
import { principalFor, type ConsoleEnv } from '../console-env.js';
import { formErrors } from '../form-errors.js';
import { formText, readForm, type FormValues } from '../read-form.js';
import { herePath } from './people/list-query.js';
import { Money } from './people/money.js';
import type { PeopleServices } from './people/people-services.js';
import { programNames } from './people/program-names.js';
import { RewardTable } from './people/reward-table.js';

/** A refused form: what was typed, and the API's messages. */
interface FormState {
  values: Record<string, string>;
  message?: string;
  errors?: FieldErrors;
}

/** Rows of each related list shown on the page; "all" links open the full, filtered list. */
const SHOWN = 20;

/**
 * One member: their link and code, clicks, referrals, rewards and payouts, and (for editors) the
 * changes the member API allows: edit, invite friends by email, delete their personal data.
 */
export function registerMemberDetailPage(ui: Hono<ConsoleEnv>, s: PeopleServices) {
  ui.get('/members/:id', (c) => memberPage(c, s, c.req.param('id'), {}));

  ui.post('/members/:id', async (c) => {
    const id = c.req.param('id');
    const form = await readForm(c);
    const values = textValues(form, ['email', 'firstName', 'lastName', 'externalId', 'payoutDetails.paypalEmail']);
    const paypal = values['payoutDetails.paypalEmail'];
    try {
      const patch = memberPatchSchema.parse({
        email: values.email,
        firstName: values.firstName || null,
        lastName: values.lastName || null,
        externalId: values.externalId || null,
        payoutDetails: paypal ? { paypalEmail: paypal } : null,
      });
      await s.members.patch(principalFor(c.get('user')), id, patch);
    } catch (err) {
      const e = formErrors(err);
      return memberPage(c, s, id, { edit: { values, message: e.message, errors: e.fields } }, e.status);
    }
    s.deps.cookies.flash(c, 'Member saved.');
    return c.redirect(`/ui/members/${id}`, 303);
  });

  ui.post('/members/:id/invites', async (c) => {
    const id = c.req.param('id');
    const form = await readForm(c);
    const values = textValues(form, ['emails', 'message']);
    let result;
    try {
      const input = inviteCreateSchema.parse({
        emails: values.emails!.split(/[\s,;]+/).filter(Boolean),
        message: values.message || undefined,
      });
      result = await s.invites.invite(principalFor(c.get('user')), id, input);
    } catch (err) {
      const e = formErrors(err);
      // The program's share settings are the API's field here; the message says what to set.
      return memberPage(c, s, id, { invite: { values, message: e.message, errors: e.fields } }, e.status);
    }
    const skipped = result.skipped.map((k) => `${k.email} (${k.reason.replaceAll('_', ' ')})`).join(', ');
    s.deps.cookies.flash(c, `Invited ${result.invited.length}${skipped ? `; skipped ${result.skipped.length}: ${skipped}` : ''}.`);
    return c.redirect(`/ui/members/${id}`, 303);
  });

  ui.post('/members/:id/delete', async (c) => {
    const id = c.req.param('id');
    await s.members.remove(principalFor(c.get('user')), id);
    s.deps.cookies.flash(c, `Deleted the personal data of member ${id}; their code no longer works.`);
    return c.redirect('/ui/members', 303);
  });
}

function textValues(form: FormValues, names: string[]): Record<string, string> {
  return Object.fromEntries(names.map((n) => [n, formText(form, n).trim()]));
}

async function memberPage(
  c: Context<ConsoleEnv>,
  s: PeopleServices,
  id: string,
  forms: { edit?: FormState; invite?: FormState },
  status: 200 | 403 | 404 | 409 | 422 = 200,
) {
  const principal = principalFor(c.get('user'));
  const row = await s.members.getRow(principal, id);
  const m = s.members.json(row);
  const [clicks, programs, referrals, rewards, payouts] = await Promise.all([
    s.members.clickCount(principal, id),
    programNames(s, principal),
    s.referrals.list(principal, { memberId: id, limit: SHOWN }),
    s.rewards.list(principal, { memberId: id, limit: SHOWN }),
    s.payouts.list(principal, { memberId: id, limit: SHOWN }),
  ]);
  const name = [m.firstName, m.lastName].filter(Boolean).join(' ');
  const paypal = typeof m.payoutDetails?.paypalEmail === 'string' ? m.payoutDetails.paypalEmail : '';
  const edit: Record<string, string> = forms.edit?.values ?? {
    email: m.email,
    firstName: m.firstName ?? '',
    lastName: m.lastName ?? '',
    externalId: m.externalId ?? '',
    'payoutDetails.paypalEmail': paypal,
  };
  return consolePage(
    c,
    `Member ${name || m.email}`,
    <>
      <section aria-labelledby="member-facts">
        <h2 id="member-facts">Details</h2>
        <dl class="facts">
          <dt>Member id</dt>
          <dd>
            <code>{m.id}</code>
          </dd>
          <dt>Email</dt>
          <dd>{m.email}</dd>
          <dt>Name</dt>
          <dd>{name || <span class="muted">—</span>}</dd>
          <dt>Program</dt>
          <dd>{programs.get(m.programId) ?? m.programId}</dd>
          <dt>External id</dt>
          <dd>{m.externalId ?? <span class="muted">—</span>}</dd>
          <dt>Referral code</dt>
          <dd>
            <code>{m.referralCode}</code>
          </dd>
          <dt>Referral link</dt>
          <dd>
            <a href={m.referralUrl}>{m.referralUrl}</a>
          </dd>
          <dt>Clicks</dt>
          <dd>{clicks}</dd>
          <dt>Paid to</dt>
          <dd>{paypal ? `PayPal ${paypal}` : `their email (${m.email})`}</dd>
          <dt>Joined</dt>
          <dd>
            <TimeText at={m.createdAt} />
          </dd>
          <dt>Updated</dt>
          <dd>
            <TimeText at={m.updatedAt} />
          </dd>
        </dl>
      </section>

      <section aria-labelledby="member-referrals">
        <h2 id="member-referrals">Referrals</h2>
        {referrals.data.length === 0 ? (
          <p class="muted">No referrals yet.</p>
        ) : (
          <div class="table-wrap">
            <table>
              <thead>
                <tr>
                  <th>Referred</th>
                  <th>Status</th>
                  <th class="num">Amount</th>
                  <th>Created</th>
                </tr>
              </thead>
              <tbody>
                {referrals.data.map((r) => (
                  <tr>
                    <td>
                      <a href={`/ui/referrals/${r.id}`}>{r.email}</a>
                    </td>
                    <td>
                      <StatusBadge status={r.status} />
                    </td>
                    <td class="num">
                      <Money amount={r.amount} currency={r.currency} />
                    </td>
                    <td>
                      <TimeText at={r.createdAt} />
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
        {referrals.nextCursor ? <a href={`/ui/referrals?member=${m.id}`}>All referrals of this member</a> : null}
      </section>

      <section aria-labelledby="member-rewards">
        <h2 id="member-rewards">Rewards</h2>
        <RewardTable c={c} rewards={rewards.data} back={herePath(c)} />
        {rewards.nextCursor ? <a href={`/ui/rewards?member=${m.id}&status=all`}>All rewards of this member</a> : null}
      </section>

      <section aria-labelledby="member-payouts">
        <h2 id="member-payouts">Payouts</h2>
        {payouts.data.length === 0 ? (
          <p class="muted">No payouts yet.</p>
        ) : (
          <div class="table-wrap">
            <table>
              <thead>
                <tr>
                  <th>Payout</th>
                  <th class="num">Amount</th>
                  <th>Status</th>
                  <th>Created</th>
                  <th>Paid</th>
                </tr>
              </thead>
              <tbody>
                {payouts.data.map((p) => (
                  <tr>
                    <td>
                      <a href={`/ui/payouts/${p.id}`}>{p.id}</a>
                    </td>
                    <td class="num">
                      <Money amount={p.amount} currency={p.currency} />
                    </td>
                    <td>
                      <StatusBadge status={p.status} />
                    </td>
                    <td>
                      <TimeText at={p.createdAt} />
                    </td>
                    <td>
                      <TimeText at={p.paidAt} />
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
        {payouts.nextCursor ? <a href={`/ui/payouts?member=${m.id}`}>All payouts of this member</a> : null}
      </section>

      {canChange(c) ? (
        <>
          <section aria-labelledby="member-edit">
            <h2 id="member-edit">Edit member</h2>
            <form method="post" action={`/ui/members/${m.id}`} novalidate>
              <CsrfField c={c} />
              <FormAlert message={forms.edit?.message} />
              <Field name="email" label="Email" type="email" value={edit.email} errors={forms.edit?.errors} required />
              <Field name="firstName" label="First name" value={edit.firstName} errors={forms.edit?.errors} />
              <Field name="lastName" label="Last name" value={edit.lastName} errors={forms.edit?.errors} />
              <Field name="externalId" label="External id" value={edit.externalId} errors={forms.edit?.errors} />
              <Field
                name="payoutDetails.paypalEmail"
                label="PayPal email for payouts"
                type="email"
                value={edit['payoutDetails.paypalEmail']}
                errors={forms.edit?.errors}
                hint="Empty: payouts go to the member's email."
              />
              <button type="submit">Save member</button>
            </form>
          </section>

          <section aria-labelledby="member-invite">
            <h2 id="member-invite">Invite friends</h2>
            <p class="hint">Emails the member's link to these addresses from the program's email connector.</p>
            <form method="post" action={`/ui/members/${m.id}/invites`}>
              <CsrfField c={c} />
              <FormAlert message={forms.invite?.message} />
              <label for="f-emails">Email addresses</label>
              <textarea id="f-emails" name="emails" aria-describedby="f-emails-hint" required>
                {forms.invite?.values.emails ?? ''}
              </textarea>
              <p class="hint" id="f-emails-hint">
                One per line or separated by commas (at most 50).
              </p>
              {forms.invite?.errors?.emails ? <p class="error">{forms.invite.errors.emails}</p> : null}
              <Field name="message" label="Personal note (optional)" value={forms.invite?.values.message} errors={forms.invite?.errors} />
              <button type="submit">Send invites</button>
            </form>
          </section>

          <section aria-labelledby="member-delete">
            <h2 id="member-delete">Delete personal data</h2>
            <p class="hint">
              Removes the member's email, name and payout details and retires their code; their referrals and rewards stay.
            </p>
            <ActionButton
              c={c}
              action={`/ui/members/${m.id}/delete`}
              label="Delete member"
              kind="danger"
              confirm="Delete this member's personal data? This cannot be undone."
            />
          </section>
        </>
      ) : null}
    </>,
    status,
  );
}
