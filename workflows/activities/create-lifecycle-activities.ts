import { ApplicationFailure } from '@temporalio/activity';
import { and, eq, inArray } from 'drizzle-orm';
import { appendEvent } from '../../schema/append-event.js';
import type { Db } from '../../schema/db.js';
import { rewardJson } from '../../schema/public-json.js';
import { businessEvents, referrals, rewardRules, rewards } from '../../schema/tables/index.js';
import { applyRules, type HoldOut } from './apply-rules.js';
import { planMemberPayouts } from './plan-payouts.js';

type Tx = Parameters<Parameters<Db['transaction']>[0]>[0];

export interface LifecycleActivityDeps {
  db: Db;
}

async function lockReferral(tx: Tx, referralId: string) {
  const [referral] = await tx.select().from(referrals).where(eq(referrals.id, referralId)).for('update');
  if (!referral) throw ApplicationFailure.nonRetryable(`referral ${referralId} not found`, 'NotFound');
  return referral;
}

async function cancelRewards(tx: Tx, referralId: string, statuses: ('held' | 'pending')[]): Promise<string[]> {
  const cancelled = await tx
    .update(rewards)
    .set({ status: 'cancelled', updatedAt: new Date() })
    .where(and(eq(rewards.referralId, referralId), inArray(rewards.status, statuses)))
    .returning();
  for (const r of cancelled) {
    await appendEvent(tx, { type: 'reward.cancelled', programId: r.programId, subjectId: r.id, payload: rewardJson(r) });
  }
  return cancelled.map((r) => r.id);
}

/** Activities for referralLifecycle. Each is one transaction and safe to run twice. */
export function createLifecycleActivities(deps: LifecycleActivityDeps) {
  const { db } = deps;

  return {
    async applyStatusTrigger(input: { referralId: string; trigger: string }): Promise<{ holds: HoldOut[] }> {
      const holds = await db.transaction(async (tx) =>
        applyRules(tx, await lockReferral(tx, input.referralId), { trigger: input.trigger }),
      );
      return { holds };
    },

    async applyBusinessEvent(input: { referralId: string; eventId: string }): Promise<{ holds: HoldOut[]; cancelled: string[] }> {
      return db.transaction(async (tx) => {
        const referral = await lockReferral(tx, input.referralId);
        const [event] = await tx.select().from(businessEvents).where(eq(businessEvents.id, input.eventId));
        if (!event) throw ApplicationFailure.nonRetryable(`business event ${input.eventId} not found`, 'NotFound');
        if (event.type === 'refund') {
          // A refund inside the hold period takes back what the purchase earned.
          const cancelled = await cancelRewards(tx, referral.id, ['held']);
          return { holds: [], cancelled };
        }
        const holds = await applyRules(tx, referral, {
          trigger: event.type,
          event: { id: event.id, amount: event.amount, currency: event.currency, occurredAt: event.occurredAt },
        });
        return { holds, cancelled: [] };
      });
    },

    async releaseHold(input: { rewardId: string }): Promise<{ status: string | null }> {
      return db.transaction(async (tx) => {
        const [row] = await tx
          .select({ reward: rewards, approval: rewardRules.approval })
          .from(rewards)
          .innerJoin(rewardRules, eq(rewardRules.id, rewards.ruleId))
          .where(eq(rewards.id, input.rewardId))
          .for('update');
        // Already released, refunded or decided by a person: nothing to do (idempotent).
        if (!row || row.reward.status !== 'held') return { status: row?.reward.status ?? null };
        const status = row.approval === 'manual' ? 'pending' : 'approved';
        const [updated] = await tx.update(rewards).set({ status, updatedAt: new Date() }).where(eq(rewards.id, input.rewardId)).returning();
        if (updated && status === 'approved') {
          await appendEvent(tx, {
            type: 'reward.approved',
            programId: updated.programId,
            subjectId: updated.id,
            payload: rewardJson(updated),
          });
          await planMemberPayouts(tx, updated.memberId);
        }
        return { status };
      });
    },

    async cancelOpenRewards(input: { referralId: string; statuses: ('held' | 'pending')[] }): Promise<string[]> {
      return db.transaction((tx) => cancelRewards(tx, input.referralId, input.statuses));
    },
  };
}

export type LifecycleActivities = ReturnType<typeof createLifecycleActivities>;
