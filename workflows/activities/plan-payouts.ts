import { and, asc, eq, gt, inArray, isNull, notInArray, sql } from 'drizzle-orm';
import { newId } from '../../lib/ids.js';
import { appendEvent } from '../../schema/append-event.js';
import type { Db } from '../../schema/db.js';
import { payoutSettingsOf } from '../../schema/payout-settings-of.js';
import { payoutJson, type PayoutRow, type RewardRow } from '../../schema/public-json.js';
import { payouts, programs, rewards, type PayoutHoldReason, type PayoutStatus } from '../../schema/tables/index.js';
import { findPayoutConnector } from './find-payout-connector.js';

type Tx = Parameters<Parameters<Db['transaction']>[0]>[0];

const DAY_MS = 24 * 60 * 60 * 1000;
// Payouts that do not count towards the daily cap: nothing went out (or will).
const NOT_PAID_OUT: PayoutStatus[] = ['failed', 'cancelled'];

/** Rewards that go into one payout together: same recipient, currency and kind. */
function groupKey(r: RewardRow): string {
  return [r.recipient === 'referral' ? `referral:${r.referralId}` : 'member', r.currency, r.kind].join('|');
}

/**
 * Turns a member's approved, not yet paid rewards into payouts, inside the caller's transaction
 * (the one that approved a reward), so an approval and its payout can never disagree.
 *
 * Rewards of one recipient, currency and kind are paid together once their total reaches the
 * program's `minimumAmount` (0: each reward alone), oldest first; what is left waits for the
 * next approval. A payout starts `pending` when a person must send it (autoPay off, or above the
 * member's daily cap), `waiting_provider` when no connector pays it yet, else `sending`.
 * Serialised per member by an advisory lock, so two approvals never put one reward in two payouts.
 */
export async function planMemberPayouts(tx: Tx, memberId: string): Promise<PayoutRow[]> {
  await tx.execute(sql`select pg_advisory_xact_lock(hashtext(${`payouts:${memberId}`}))`);
  const unpaid = await tx
    .select()
    .from(rewards)
    .where(and(eq(rewards.memberId, memberId), eq(rewards.status, 'approved'), isNull(rewards.payoutId)))
    .orderBy(asc(rewards.createdAt), asc(rewards.id));
  if (unpaid.length === 0) return [];
  const [program] = await tx.select().from(programs).where(eq(programs.id, unpaid[0]!.programId));
  if (!program) return [];
  const settings = payoutSettingsOf(program);

  const groups = new Map<string, RewardRow[]>();
  for (const r of unpaid) groups.set(groupKey(r), [...(groups.get(groupKey(r)) ?? []), r]);

  const created: PayoutRow[] = [];
  for (const group of groups.values()) {
    // The referred person is paid reward by reward: the minimum is about members' balances.
    const minimum = group[0]!.recipient === 'referral' ? 0 : settings.minimumAmount;
    let batch: RewardRow[] = [];
    let total = 0;
    for (const reward of group) {
      batch.push(reward);
      total = roundCents(total + reward.amount);
      if (total + 1e-9 < minimum) continue;
      created.push(await createPayout(tx, program.id, batch, total, settings));
      batch = [];
      total = 0;
    }
  }
  return created;
}

/** Plans payouts for every member of a program with approved unpaid rewards (after its settings changed). */
export async function planProgramPayouts(tx: Tx, programId: string): Promise<PayoutRow[]> {
  const members = await tx
    .selectDistinct({ memberId: rewards.memberId })
    .from(rewards)
    .where(and(eq(rewards.programId, programId), eq(rewards.status, 'approved'), isNull(rewards.payoutId)));
  const created: PayoutRow[] = [];
  for (const { memberId } of members) created.push(...(await planMemberPayouts(tx, memberId)));
  return created;
}

async function createPayout(
  tx: Tx,
  programId: string,
  batch: RewardRow[],
  amount: number,
  settings: ReturnType<typeof payoutSettingsOf>,
): Promise<PayoutRow> {
  const first = batch[0]!;
  const need = { programId, rewardKind: first.kind, currency: first.currency };
  let holdReason: PayoutHoldReason | null = null;
  if (!settings.autoPay) holdReason = 'auto_pay_off';
  else if (settings.dailyCapPerMember !== null) {
    const [{ paid }] = (await tx
      .select({ paid: sql<number>`coalesce(sum(${payouts.amount}), 0)::float8` })
      .from(payouts)
      .where(
        and(
          eq(payouts.memberId, first.memberId),
          eq(payouts.currency, first.currency),
          notInArray(payouts.status, NOT_PAID_OUT),
          gt(payouts.createdAt, new Date(Date.now() - DAY_MS)),
        ),
      )) as [{ paid: number }];
    if (paid + amount > settings.dailyCapPerMember + 1e-9) holdReason = 'daily_cap';
  }
  const connector = holdReason ? undefined : await findPayoutConnector(tx, need);
  const status: PayoutStatus = holdReason ? 'pending' : connector ? 'sending' : 'waiting_provider';
  const now = new Date();
  const [payout] = await tx
    .insert(payouts)
    .values({
      id: newId('pay'),
      programId,
      memberId: first.memberId,
      recipientReferralId: first.recipient === 'referral' ? first.referralId : null,
      connectorId: connector?.id ?? null,
      provider: connector?.kind ?? null,
      amount,
      currency: first.currency,
      rewardKind: first.kind,
      rewardIds: batch.map((r) => r.id),
      status,
      holdReason,
      attempts: status === 'sending' ? 1 : 0,
      createdAt: now,
      updatedAt: now,
    })
    .returning();
  await tx
    .update(rewards)
    // A reward is `paying` once its money is in motion; until then it stays approved, claimed by the payout.
    .set({
      status: status === 'sending' ? 'paying' : 'approved',
      payoutId: payout!.id,
      payoutProvider: connector?.kind ?? null,
      updatedAt: now,
    })
    .where(
      inArray(
        rewards.id,
        batch.map((r) => r.id),
      ),
    );
  await appendEvent(tx, { type: 'payout.created', programId, subjectId: payout!.id, payload: payoutJson(payout!) });
  return payout!;
}

/** Amounts are kept to 4 decimals; sums must not drift below a minimum by float error. */
function roundCents(n: number): number {
  return Math.round(n * 10_000) / 10_000;
}
