import { eq } from 'drizzle-orm';
import { appendEvent } from './append-event.js';
import type { Db } from './db.js';
import { referralJson, type ReferralRow } from './public-json.js';
import { referrals, type ReferralStatus } from './tables/index.js';

const RANK: Record<ReferralStatus, number> = { pending: 0, qualified: 1, approved: 2, denied: 3 };

/** A status a referral cannot take from where it is (backwards, or out of `denied`). */
export class InvalidStatusTransition extends Error {
  constructor(
    readonly from: ReferralStatus,
    readonly to: ReferralStatus,
  ) {
    super(`A referral cannot go from ${from} to ${to}`);
    this.name = 'InvalidStatusTransition';
  }
}

/**
 * Moves a referral forward (pending → qualified → approved, or to denied) and writes its
 * `referral.status_changed` event in the same transaction; the same status again changes
 * nothing. The API and the HubSpot deal-stage activity both come through here. Returns
 * undefined for an unknown id.
 */
export async function changeReferralStatus(
  db: Db,
  id: string,
  status: ReferralStatus,
): Promise<{ row: ReferralRow; changed: boolean } | undefined> {
  return db.transaction(async (tx) => {
    const [current] = await tx.select().from(referrals).where(eq(referrals.id, id)).for('update');
    if (!current) return undefined;
    if (current.status === status) return { row: current, changed: false };
    if (current.status === 'denied' || (status !== 'denied' && RANK[status] < RANK[current.status])) {
      throw new InvalidStatusTransition(current.status, status);
    }
    const [updated] = await tx.update(referrals).set({ status, updatedAt: new Date() }).where(eq(referrals.id, id)).returning();
    await appendEvent(tx, {
      type: 'referral.status_changed',
      programId: updated!.programId,
      subjectId: id,
      payload: { ...referralJson(updated!), previousStatus: current.status },
    });
    return { row: updated!, changed: true };
  });
}
