import { and, desc, eq, sql } from 'drizzle-orm';
import { newId } from '../../lib/ids.js';
import { appendEvent } from '../../schema/append-event.js';
import type { Db } from '../../schema/db.js';
import { businessEvents, referrals } from '../../schema/tables/index.js';
import type { LifecycleDispatcher } from '../../workflows/dispatch/lifecycle-dispatcher.js';
import type { BusinessEventCreate } from '../contracts/referral-contract.js';
import { ApiError } from '../http/api-error.js';
import { assertProgramAccess, canAccessProgram } from '../http/api-key-auth.js';
import type { Principal } from '../http/hub-env.js';

export function createBusinessEventService(db: Db, dispatcher?: LifecycleDispatcher) {
  async function findReferral(principal: Principal, input: BusinessEventCreate) {
    const ref = input.referral;
    if (!ref.id && !input.programId) {
      throw new ApiError('validation_failed', 'programId is required when the referral is given by email or externalId', [
        { path: 'programId', message: 'required' },
      ]);
    }
    if (input.programId) assertProgramAccess(principal, input.programId);
    const [row] = await db
      .select()
      .from(referrals)
      .where(
        and(
          ref.id ? eq(referrals.id, ref.id) : undefined,
          input.programId ? eq(referrals.programId, input.programId) : undefined,
          ref.email ? sql`lower(${referrals.email}) = lower(${ref.email})` : undefined,
          ref.externalId ? eq(referrals.externalId, ref.externalId) : undefined,
        ),
      )
      .limit(1);
    if (!row || !canAccessProgram(principal, row.programId)) throw new ApiError('not_found', 'No referral matches this event');
    return row;
  }

  return {
    /** Records activity for a referral; a repeated idempotencyKey returns the first event's id. */
    async record(principal: Principal, input: BusinessEventCreate): Promise<{ eventId: string; created: boolean }> {
      const referral = await findReferral(principal, input);
      const id = newId('bev');
      const result = await db.transaction(async (tx) => {
        const [created] = await tx
          .insert(businessEvents)
          .values({
            id,
            programId: referral.programId,
            referralId: referral.id,
            type: input.type,
            amount: input.amount ?? null,
            currency: input.currency ?? null,
            occurredAt: input.occurredAt ? new Date(input.occurredAt) : new Date(),
            // Without a key from the caller every request is a new event.
            idempotencyKey: input.idempotencyKey ?? id,
          })
          .onConflictDoNothing()
          .returning();
        if (!created) {
          const [existing] = await tx
            .select({ id: businessEvents.id })
            .from(businessEvents)
            .where(and(eq(businessEvents.programId, referral.programId), eq(businessEvents.idempotencyKey, input.idempotencyKey!)));
          return { eventId: existing!.id, created: false };
        }
        await appendEvent(tx, {
          type: 'referral.activity',
          programId: referral.programId,
          subjectId: referral.id,
          payload: {
            id: created.id,
            referralId: referral.id,
            programId: referral.programId,
            memberId: referral.memberId,
            type: created.type,
            amount: created.amount,
            currency: created.currency,
            occurredAt: created.occurredAt.toISOString(),
          },
        });
        return { eventId: created.id, created: true };
      });
      if (result.created) dispatcher?.nudge();
      return result;
    },

    /** A referral's latest business activity (its detail page); a referral the principal may not see is not found. */
    async forReferral(principal: Principal, referralId: string, limit = 100) {
      const [referral] = await db.select({ programId: referrals.programId }).from(referrals).where(eq(referrals.id, referralId));
      if (!referral || !canAccessProgram(principal, referral.programId))
        throw new ApiError('not_found', `Referral ${referralId} not found`);
      return db
        .select()
        .from(businessEvents)
        .where(eq(businessEvents.referralId, referralId))
        .orderBy(desc(businessEvents.occurredAt))
        .limit(limit);
    },
  };
}
