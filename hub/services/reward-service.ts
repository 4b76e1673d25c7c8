import { and, desc, eq, inArray, lt } from 'drizzle-orm';
import { appendEvent } from '../../schema/append-event.js';
import type { Db } from '../../schema/db.js';
import { rewardJson } from '../../schema/public-json.js';
import { rewards, type RewardStatus } from '../../schema/tables/index.js';
import { ApiError } from '../http/api-error.js';
import { assertProgramAccess, canAccessProgram } from '../http/api-key-auth.js';
import type { Principal } from '../http/hub-env.js';
import { decodeCursor, pageOf } from './page-cursor.js';
import { planMemberPayouts } from '../../workflows/activities/plan-payouts.js';

export function createRewardService(db: Db) {
  /** A person's decision on a reward waiting for manual approval (or still in hold, for deny). */
  async function decide(principal: Principal, id: string, decision: 'approved' | 'denied') {
    return db.transaction(async (tx) => {
      const [current] = await tx.select().from(rewards).where(eq(rewards.id, id)).for('update');
      if (!current || !canAccessProgram(principal, current.programId)) throw new ApiError('not_found', `Reward ${id} not found`);
      if (current.status === decision) return rewardJson(current);
      const allowed: RewardStatus[] = decision === 'approved' ? ['pending'] : ['pending', 'held'];
      if (!allowed.includes(current.status)) {
        const why =
          current.status === 'held' ? `it is in its hold period until ${current.holdUntil?.toISOString()}` : `it is ${current.status}`;
        throw new ApiError('validation_failed', `Reward cannot be ${decision}: ${why}`, [{ path: 'status', message: current.status }]);
      }
      const [updated] = await tx.update(rewards).set({ status: decision, updatedAt: new Date() }).where(eq(rewards.id, id)).returning();
      await appendEvent(tx, {
        type: decision === 'approved' ? 'reward.approved' : 'reward.denied',
        programId: updated!.programId,
        subjectId: id,
        payload: rewardJson(updated!),
      });
      if (decision === 'approved') await planMemberPayouts(tx, updated!.memberId);
      const [after] = await tx.select().from(rewards).where(eq(rewards.id, id));
      return rewardJson(after!);
    });
  }

  return {
    approve: (p: Principal, id: string) => decide(p, id, 'approved'),
    deny: (p: Principal, id: string) => decide(p, id, 'denied'),

    /** The given rewards the principal may see (a payout's rewards), newest first; unknown ids are left out. */
    async byIds(principal: Principal, ids: string[]) {
      if (ids.length === 0) return [];
      const rows = await db
        .select()
        .from(rewards)
        .where(inArray(rewards.id, [...new Set(ids)]))
        .orderBy(desc(rewards.id));
      return rows.filter((r) => canAccessProgram(principal, r.programId)).map(rewardJson);
    },

    async list(
      principal: Principal,
      q: { programId?: string; referralId?: string; memberId?: string; status?: RewardStatus; limit: number; cursor?: string },
    ) {
      if (q.programId) assertProgramAccess(principal, q.programId);
      const after = decodeCursor(q.cursor, 1);
      const rows = await db
        .select()
        .from(rewards)
        .where(
          and(
            q.programId ? eq(rewards.programId, q.programId) : undefined,
            principal.programIds.length > 0 ? inArray(rewards.programId, principal.programIds) : undefined,
            q.referralId ? eq(rewards.referralId, q.referralId) : undefined,
            q.memberId ? eq(rewards.memberId, q.memberId) : undefined,
            q.status ? eq(rewards.status, q.status) : undefined,
            after ? lt(rewards.id, after[0] as string) : undefined,
          ),
        )
        .orderBy(desc(rewards.id))
        .limit(q.limit + 1);
      const page = pageOf(rows, q.limit, (r) => [r.id]);
      return { data: page.data.map(rewardJson), nextCursor: page.nextCursor };
    },
  };
}
