import { and, count, desc, eq, isNull } from 'drizzle-orm';
import type { Db } from '../../schema/db.js';
import { clicks, members, payouts, referrals, rewards } from '../../schema/tables/index.js';
import { maskEmail } from './mask-email.js';

/** What the member portal shows; referral emails are already masked. */
export interface PortalView {
  firstName: string | null;
  url: string;
  clicks: number;
  referrals: { email: string; status: string; createdAt: Date }[];
  rewards: { amount: number; currency: string; kind: string; status: string; createdAt: Date }[];
  payouts: { amount: number; currency: string; status: string; createdAt: Date; paidAt: Date | null }[];
}

/** Rows shown per list; the portal is a glance, the API has the full history. */
const SHOWN = 100;

/**
 * What a signed-in member sees, read only through their own member id within their own
 * program: every query names both, so a session can never reach another member's rows.
 */
export function createPortalViewService(db: Db, publicUrl: string) {
  return {
    async view(programId: string, memberId: string): Promise<PortalView | undefined> {
      const [member] = await db
        .select({ firstName: members.firstName, code: members.referralCode })
        .from(members)
        .where(and(eq(members.id, memberId), eq(members.programId, programId), isNull(members.deletedAt)));
      if (!member) return undefined;
      const [clickCount, referralRows, rewardRows, payoutRows] = await Promise.all([
        db
          .select({ n: count() })
          .from(clicks)
          .where(and(eq(clicks.programId, programId), eq(clicks.memberId, memberId))),
        db
          .select({ email: referrals.email, status: referrals.status, createdAt: referrals.createdAt })
          .from(referrals)
          .where(and(eq(referrals.programId, programId), eq(referrals.memberId, memberId)))
          .orderBy(desc(referrals.createdAt))
          .limit(SHOWN),
        // Rewards for the referred friend carry the member's id too, but they are the friend's.
        db
          .select({
            amount: rewards.amount,
            currency: rewards.currency,
            kind: rewards.kind,
            status: rewards.status,
            createdAt: rewards.createdAt,
          })
          .from(rewards)
          .where(and(eq(rewards.programId, programId), eq(rewards.memberId, memberId), eq(rewards.recipient, 'member')))
          .orderBy(desc(rewards.createdAt))
          .limit(SHOWN),
        db
          .select({
            amount: payouts.amount,
            currency: payouts.currency,
            status: payouts.status,
            createdAt: payouts.createdAt,
            paidAt: payouts.paidAt,
          })
          .from(payouts)
          .where(and(eq(payouts.programId, programId), eq(payouts.memberId, memberId), isNull(payouts.recipientReferralId)))
          .orderBy(desc(payouts.createdAt))
          .limit(SHOWN),
      ]);
      return {
        firstName: member.firstName,
        url: `${publicUrl}/r/${member.code}`,
        clicks: clickCount[0]?.n ?? 0,
        referrals: referralRows.map((r) => ({ ...r, email: maskEmail(r.email) })),
        rewards: rewardRows,
        payouts: payoutRows,
      };
    },
  };
}
