import type { Context } from 'hono';
import type { rewardJson } from '../../../../schema/public-json.js';
import { ActionButton, canChange } from '../../components/action-button.js';
import { StatusBadge } from '../../components/status-badge.js';
import { TimeText } from '../../components/time-text.js';
import type { ConsoleEnv } from '../../console-env.js';
import { Money } from './money.js';

type Reward = ReturnType<typeof rewardJson>;

/** The form the reward checkboxes belong to (they sit in the table, the form above it: forms cannot nest). */
export const BULK_FORM_ID = 'reward-decisions';

/**
 * Rewards with their per-row "Approve" (pending) and "Deny" (pending or held) buttons, which come
 * back to `back`. With `selectable`, each row has a checkbox for the bulk form.
 */
export function RewardTable(props: {
  c: Context<ConsoleEnv>;
  rewards: Reward[];
  back: string;
  members?: Map<string, { email: string; name: string }>;
  programs?: Map<string, string>;
  selectable?: boolean;
}) {
  const { c, back } = props;
  const selectable = props.selectable && canChange(c);
  if (props.rewards.length === 0) return <p class="muted">No rewards.</p>;
  return (
    <div class="table-wrap">
      <table>
        <thead>
          <tr>
            {selectable ? (
              <th>
                <span class="sr-only">Select</span>
              </th>
            ) : null}
            <th>Reward</th>
            {props.members ? <th>Member</th> : null}
            <th>Referral</th>
            {props.programs ? <th>Program</th> : null}
            <th class="num">Amount</th>
            <th>For</th>
            <th>Trigger</th>
            <th>Status</th>
            <th>Created</th>
            {canChange(c) ? <th>Actions</th> : null}
          </tr>
        </thead>
        <tbody>
          {props.rewards.map((r) => {
            const member = props.members?.get(r.memberId);
            return (
              <tr>
                {selectable ? (
                  <td>
                    <label class="sr-only" for={`pick-${r.id}`}>{`Select reward ${r.id}`}</label>
                    <input type="checkbox" id={`pick-${r.id}`} name="ids" value={r.id} form={BULK_FORM_ID} />
                  </td>
                ) : null}
                <td>
                  <code>{r.id}</code>
                  <div class="muted">{r.kind}</div>
                </td>
                {props.members ? (
                  <td>
                    <a href={`/ui/members/${r.memberId}`}>{member ? member.name || member.email : r.memberId}</a>
                  </td>
                ) : null}
                <td>
                  <a href={`/ui/referrals/${r.referralId}`}>{r.referralId}</a>
                </td>
                {props.programs ? <td>{props.programs.get(r.programId) ?? r.programId}</td> : null}
                <td class="num">
                  <Money amount={r.amount} currency={r.currency} />
                </td>
                <td>{r.recipient === 'member' ? 'member' : 'referred friend'}</td>
                <td>{r.trigger}</td>
                <td>
                  <StatusBadge status={r.status} />
                  {r.status === 'held' && r.holdUntil ? (
                    <div class="muted">
                      until <TimeText at={r.holdUntil} />
                    </div>
                  ) : null}
                  {r.payoutId ? (
                    <div>
                      <a href={`/ui/payouts/${r.payoutId}`}>payout</a>
                    </div>
                  ) : null}
                </td>
                <td>
                  <TimeText at={r.createdAt} />
                </td>
                {canChange(c) ? (
                  <td>
                    {r.status === 'pending' ? (
                      <ActionButton c={c} action={`/ui/rewards/${r.id}/approve`} label="Approve" fields={{ back }} />
                    ) : null}
                    {r.status === 'pending' || r.status === 'held' ? (
                      <ActionButton c={c} action={`/ui/rewards/${r.id}/deny`} label="Deny" kind="danger" fields={{ back }} />
                    ) : null}
                  </td>
                ) : null}
              </tr>
            );
          })}
        </tbody>
      </table>
    </div>
  );
}
