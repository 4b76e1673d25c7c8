import type { Context } from 'hono';
import type { z } from 'zod';
import type { programSchema } from '../../../hub/contracts/program-contract.js';
import { ActionButton } from '../components/action-button.js';
import { StatusBadge } from '../components/status-badge.js';
import { TimeText } from '../components/time-text.js';
import type { ConsoleEnv } from '../console-env.js';

type ProgramJson = z.infer<typeof programSchema>;

const amountText = (a: ProgramJson['rewardRules'][number]['amount'], currency: string) =>
  a.type === 'fixed' ? `${a.value} ${currency}` : `${a.value}% of the order${a.cap !== undefined ? `, at most ${a.cap} ${currency}` : ''}`;

/**
 * What every role may read about a program: its facts, hosted pages, publishable key (with the
 * rotate button for editors) and every rule, inactive ones included (rewards still point at them).
 */
export function ProgramDetails(props: { c: Context<ConsoleEnv>; program: ProgramJson; publicUrl: string }) {
  const p = props.program;
  const page = (path: string) => `${props.publicUrl}/p/${p.slug}${path}`;
  return (
    <>
      <section>
        <dl class="facts">
          <dt>Id</dt>
          <dd>
            <code>{p.id}</code>
          </dd>
          <dt>Slug</dt>
          <dd>{p.slug}</dd>
          <dt>Status</dt>
          <dd>
            <StatusBadge status={p.status} />
          </dd>
          <dt>Hosted pages</dt>
          <dd>
            <a href={page('')}>landing</a> · <a href={page('/join')}>join</a> · <a href={page('/portal')}>member portal</a>
          </dd>
          <dt>Publishable key</dt>
          <dd>
            <code>{p.publishableKey ?? '—'}</code>{' '}
            <ActionButton
              c={props.c}
              action={`/ui/programs/${p.id}/publishable-key`}
              label="Rotate publishable key"
              kind="secondary"
              confirm="The current key stops working at once. Rotate?"
            />
          </dd>
          <dt>Payouts</dt>
          <dd>
            {p.payouts.autoPay ? 'paid automatically' : 'sent by a person'}, minimum {p.payouts.minimumAmount} {p.currency}
            {p.payouts.dailyCapPerMember !== null ? `, at most ${p.payouts.dailyCapPerMember} ${p.currency} per member a day` : ''}
          </dd>
          <dt>Browser tracking</dt>
          <dd>
            {p.share.allowedHostnames.length > 0 ? p.share.allowedHostnames.join(', ') : 'no hostnames allowed'}; browser conversions{' '}
            {p.share.webConversions ? 'on' : 'off'}
          </dd>
          <dt>Created</dt>
          <dd>
            <TimeText at={p.createdAt} />
          </dd>
        </dl>
      </section>
      <section>
        <h2>Rules</h2>
        {p.rewardRules.length === 0 ? (
          <p class="muted">No reward rules yet.</p>
        ) : (
          <div class="table-wrap">
            <table>
              <thead>
                <tr>
                  <th>Rule</th>
                  <th>Trigger</th>
                  <th>Recipient</th>
                  <th>Amount</th>
                  <th>Kind</th>
                  <th>Hold</th>
                  <th>Approval</th>
                  <th>Limits</th>
                  <th>State</th>
                </tr>
              </thead>
              <tbody>
                {p.rewardRules.map((r) => (
                  <tr>
                    <td>{r.name}</td>
                    <td>
                      <code>{r.trigger}</code>
                    </td>
                    <td>{r.recipient}</td>
                    <td>{amountText(r.amount, p.currency)}</td>
                    <td>{r.kind}</td>
                    <td>{r.hold ?? '—'}</td>
                    <td>{r.approval}</td>
                    <td>
                      {[
                        r.limits.maxPerReferral !== undefined ? `${r.limits.maxPerReferral} per referral` : '',
                        r.limits.maxPerMember !== undefined ? `${r.limits.maxPerMember} per member` : '',
                        r.limits.window ? `within ${r.limits.window}` : '',
                      ]
                        .filter(Boolean)
                        .join(', ') || '—'}
                    </td>
                    <td>
                      <StatusBadge status={r.active ? 'active' : 'inactive'} />
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
      </section>
    </>
  );
}
