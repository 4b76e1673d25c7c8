import { and, eq, inArray } from 'drizzle-orm';
import type { PayoutOutcome } from '../../connectors/connector.js';
import { appendEvent } from '../../schema/append-event.js';
import type { Db } from '../../schema/db.js';
import { payoutJson, rewardJson, type PayoutRow } from '../../schema/public-json.js';
import { payouts, rewards, type PayoutStatus } from '../../schema/tables/index.js';

type Tx = Parameters<Parameters<Db['transaction']>[0]>[0];

// Once here a payout never changes again through an outcome: a late or repeated answer is ignored.
const FINAL: PayoutStatus[] = ['paid', 'failed', 'cancelled'];

export type RecordedOutcome = PayoutOutcome | { state: 'failed'; providerReference?: string; failureReason: string; failureCode: string };

/**
 * Records what the provider (or a person) says about a payout, and moves its rewards with it:
 * `paid` and `failed` settle the rewards and emit `payout.*` and `reward.*` events; `sent` and
 * `unclaimed` only update the payout. Under the payout's row lock and a no-op on a final payout,
 * so a retried activity, a second worker or a repeated answer records one outcome.
 */
export async function recordPayoutOutcome(tx: Tx, payoutId: string, outcome: RecordedOutcome): Promise<PayoutRow | undefined> {
  const [current] = await tx.select().from(payouts).where(eq(payouts.id, payoutId)).for('update');
  if (!current || FINAL.includes(current.status)) return current;
  const now = new Date();
  const reference = outcome.providerReference || current.providerReference;
  if (outcome.state === 'sent' || outcome.state === 'unclaimed') {
    if (current.status === outcome.state && reference === current.providerReference) return current;
    const [updated] = await tx
      .update(payouts)
      .set({ status: outcome.state, providerReference: reference, sentAt: current.sentAt ?? now, updatedAt: now })
      .where(eq(payouts.id, payoutId))
      .returning();
    await appendEvent(tx, { type: 'payout.updated', programId: updated!.programId, subjectId: payoutId, payload: payoutJson(updated!) });
    return updated;
  }

  const paid = outcome.state === 'paid';
  const [updated] = await tx
    .update(payouts)
    .set({
      status: outcome.state,
      providerReference: reference,
      failureReason: paid ? null : (outcome.failureReason ?? 'The provider did not pay this payout'),
      failureCode: paid ? null : (outcome.failureCode ?? 'rejected'),
      sentAt: current.sentAt ?? (paid ? now : null),
      paidAt: paid ? now : null,
      updatedAt: now,
    })
    .where(eq(payouts.id, payoutId))
    .returning();
  const settled = await tx
    .update(rewards)
    .set({
      status: paid ? 'paid' : 'failed',
      payoutProvider: updated!.provider,
      providerReference: paid ? reference : null,
      updatedAt: now,
    })
    .where(and(eq(rewards.payoutId, payoutId), inArray(rewards.status, ['approved', 'paying'])))
    .returning();
  await appendEvent(tx, {
    type: paid ? 'payout.paid' : 'payout.failed',
    programId: updated!.programId,
    subjectId: payoutId,
    payload: payoutJson(updated!),
  });
  for (const reward of settled) {
    await appendEvent(tx, {
      type: paid ? 'reward.paid' : 'reward.failed',
      programId: reward.programId,
      subjectId: reward.id,
      payload: rewardJson(reward),
    });
  }
  return updated;
}
