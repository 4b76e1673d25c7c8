import { and, asc, eq, lte, notInArray, sql } from 'drizzle-orm';
import { newId } from '../../lib/ids.js';
import { parseDuration } from '../../lib/duration.js';
import { appendEvent } from '../../schema/append-event.js';
import type { Db } from '../../schema/db.js';
import { rewardJson, type ReferralRow, type RewardRow } from '../../schema/public-json.js';
import { businessEvents, programs, rewardRules, rewards } from '../../schema/tables/index.js';
import { computeRewardAmount } from './compute-reward-amount.js';
import { planMemberPayouts } from './plan-payouts.js';

type Tx = Parameters<Parameters<Db['transaction']>[0]>[0];

export interface Firing {
  trigger: string;
  /** Business event behind it (renewal, purchase…); absent for status triggers. */
  event?: { id: string; amount: number | null; currency: string | null; occurredAt: Date };
}

export interface HoldOut {
  rewardId: string;
  releaseAt: number;
}

// Rewards that no longer count towards a limit.
const NOT_COUNTED = ['cancelled', 'denied'] as const;

/**
 * Evaluates the program's rules for one firing inside the caller's transaction (which holds
 * the referral row lock). Every reward is inserted under its business idempotency key
 * `referral:rule:occurrence`, so a retried activity finds the first insert instead of adding one.
 * Returns the rewards (new or found again) that are in hold, so the workflow (re)arms timers.
 */
export async function applyRules(tx: Tx, referral: ReferralRow, firing: Firing): Promise<HoldOut[]> {
  if (referral.status === 'denied') return [];
  const rules = await tx
    .select()
    .from(rewardRules)
    .where(and(eq(rewardRules.programId, referral.programId), eq(rewardRules.trigger, firing.trigger), eq(rewardRules.active, true)))
    .orderBy(asc(rewardRules.position));
  if (rules.length === 0) return [];
  const [program] = await tx.select().from(programs).where(eq(programs.id, referral.programId));
  const occurredAt = firing.event?.occurredAt ?? new Date();
  const holds: HoldOut[] = [];
  const approvedFor = new Set<string>();

  if (firing.trigger === 'subscription_renewed' && firing.event && (await subscriptionEnded(tx, referral.id, firing.event.occurredAt))) {
    return [];
  }

  for (const rule of rules) {
    const occurrence = firing.event ? firing.event.id : firing.trigger;
    const idempotencyKey = `${referral.id}:${rule.id}:${occurrence}`;
    const [existing] = await tx.select().from(rewards).where(eq(rewards.idempotencyKey, idempotencyKey));
    if (existing) {
      if (existing.status === 'held' && existing.holdUntil) holds.push({ rewardId: existing.id, releaseAt: existing.holdUntil.getTime() });
      continue;
    }

    if (rule.limits.window && occurredAt.getTime() - referral.createdAt.getTime() > parseDuration(rule.limits.window)) continue;
    const base = firing.event ? firing.event.amount : referral.amount;
    const amount = computeRewardAmount(rule.amount, base);
    if (amount === null) continue;

    if (rule.limits.maxPerReferral !== undefined) {
      const [{ n }] = (await tx
        .select({ n: sql<number>`count(*)::int` })
        .from(rewards)
        .where(and(eq(rewards.referralId, referral.id), eq(rewards.ruleId, rule.id), notInArray(rewards.status, [...NOT_COUNTED])))) as [
        { n: number },
      ];
      if (n >= rule.limits.maxPerReferral) continue;
    }
    if (rule.limits.maxPerMember !== undefined) {
      // Other referrals of the same member race for the same cap: serialise them on a lock.
      await tx.execute(sql`select pg_advisory_xact_lock(hashtext(${`${referral.memberId}:${rule.id}`}))`);
      const [{ n }] = (await tx
        .select({ n: sql<number>`count(*)::int` })
        .from(rewards)
        .where(
          and(eq(rewards.memberId, referral.memberId), eq(rewards.ruleId, rule.id), notInArray(rewards.status, [...NOT_COUNTED])),
        )) as [{ n: number }];
      if (n >= rule.limits.maxPerMember) continue;
    }

    const now = new Date();
    const holdUntil = rule.hold ? new Date(now.getTime() + parseDuration(rule.hold)) : null;
    const status: RewardRow['status'] = holdUntil ? 'held' : rule.approval === 'manual' ? 'pending' : 'approved';
    const [created] = await tx
      .insert(rewards)
      .values({
        id: newId('rwd'),
        programId: referral.programId,
        ruleId: rule.id,
        referralId: referral.id,
        recipient: rule.recipient,
        memberId: referral.memberId,
        amount,
        currency: firing.event?.currency ?? referral.currency ?? program?.currency ?? 'USD',
        kind: rule.kind,
        status,
        trigger: firing.trigger,
        businessEventId: firing.event?.id ?? null,
        idempotencyKey,
        holdUntil,
        createdAt: now,
        updatedAt: now,
      })
      .onConflictDoNothing({ target: rewards.idempotencyKey })
      .returning();
    if (!created) continue;
    await appendEvent(tx, { type: 'reward.created', programId: created.programId, subjectId: created.id, payload: rewardJson(created) });
    if (created.status === 'approved') {
      await appendEvent(tx, { type: 'reward.approved', programId: created.programId, subjectId: created.id, payload: rewardJson(created) });
    }
    if (holdUntil) holds.push({ rewardId: created.id, releaseAt: holdUntil.getTime() });
    if (created.status === 'approved') approvedFor.add(created.memberId);
  }
  for (const memberId of approvedFor) await planMemberPayouts(tx, memberId);
  return holds;
}

/** Renewals after a cancellation earn nothing (`subscription_cancelled` ends recurring rewards). */
async function subscriptionEnded(tx: Tx, referralId: string, at: Date): Promise<boolean> {
  const [row] = await tx
    .select({ id: businessEvents.id })
    .from(businessEvents)
    .where(
      and(eq(businessEvents.referralId, referralId), eq(businessEvents.type, 'subscription_cancelled'), lte(businessEvents.occurredAt, at)),
    )
    .limit(1);
  return row !== undefined;
}
