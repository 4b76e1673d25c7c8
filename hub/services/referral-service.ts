import { and, asc, desc, eq, gt, gte, inArray, isNull, lt, or, sql } from 'drizzle-orm';
import { idFloorAt, newId } from '../../lib/ids.js';
import { changeReferralStatus, InvalidStatusTransition } from '../../schema/change-referral-status.js';
import type { Db, Sql } from '../../schema/db.js';
import { referralJson, type MemberRow, type ReferralRow } from '../../schema/public-json.js';
import { clicks, members, referrals, type ReferralStatus } from '../../schema/tables/index.js';
import type { LifecycleDispatcher } from '../../workflows/dispatch/lifecycle-dispatcher.js';
import type { ConversionCreate } from '../contracts/referral-contract.js';
import { ApiError } from '../http/api-error.js';
import { assertProgramAccess, canAccessProgram } from '../http/api-key-auth.js';
import type { Principal } from '../http/hub-env.js';
import { fraudFlagsFor } from './fraud-flags.js';
import { createConversionLookup } from './conversion-lookup.js';
import { createReferralInserter } from './referral-inserter.js';
import { insertReferralRows } from './insert-referral-rows.js';
import { decodeCursor, pageOf } from './page-cursor.js';

/** The search box of the referrals list: exact keys only, so every branch can use an index. */
function referralSearch(search: string) {
  const term = search.trim();
  if (term.includes('@')) return sql`lower(${referrals.email}) = lower(${term})`;
  return or(eq(referrals.id, term), eq(referrals.externalId, term), eq(referrals.orderId, term));
}

/** What a conversion needs to know about the referring member. */
type Referrer = Pick<MemberRow, 'id' | 'email' | 'visitorId'>;

export function createReferralService(db: Db, pg: Sql, dispatcher?: LifecycleDispatcher) {
  async function attributedMember(programId: string, input: ConversionCreate, cookieDays: number): Promise<MemberRow> {
    const active = and(eq(members.programId, programId), isNull(members.deletedAt));
    let member: MemberRow | undefined;
    if (input.memberId)
      [member] = await db
        .select()
        .from(members)
        .where(and(active, eq(members.id, input.memberId)));
    // Codes are issued upper-case; comparing exactly keeps the unique index usable.
    else if (input.referralCode)
      [member] = await db
        .select()
        .from(members)
        .where(and(active, eq(members.referralCode, input.referralCode.toUpperCase())));
    else if (input.visitorId) {
      // Last click wins, inside the program's cookie window.
      [member] = await db
        .select({ m: members })
        .from(clicks)
        .innerJoin(members, eq(members.id, clicks.memberId))
        .where(
          and(
            eq(clicks.programId, programId),
            eq(clicks.visitorId, input.visitorId),
            isNull(members.deletedAt),
            gt(clicks.createdAt, new Date(Date.now() - cookieDays * 86_400_000)),
          ),
        )
        .orderBy(desc(clicks.createdAt))
        .limit(1)
        .then((rows) => rows.map((r) => r.m));
    }
    if (!member) {
      const field = input.memberId ? 'memberId' : input.referralCode ? 'referralCode' : 'visitorId';
      throw new ApiError('validation_failed', 'No referring member matches this conversion', [
        { path: field, message: 'no member in this program matches' },
      ]);
    }
    return member;
  }

  const insert = createReferralInserter(pg);
  const lookup = createConversionLookup(pg);

  /** The new referral as the conversion describes it, attributed to `member`. */
  function referralRow(programId: string, member: Referrer, input: ConversionCreate): ReferralRow {
    const now = new Date();
    return {
      id: newId('ref'),
      programId,
      memberId: member.id,
      email: input.email,
      firstName: input.firstName ?? null,
      lastName: input.lastName ?? null,
      phone: input.phone ?? null,
      externalId: input.externalId ?? null,
      status: input.status,
      source: input.source,
      visitorId: input.visitorId ?? null,
      amount: input.amount ?? null,
      currency: input.currency ?? null,
      orderId: input.orderId ?? null,
      customFields: input.customFields,
      fraudFlags: fraudFlagsFor({ email: input.email, memberEmail: member.email }),
      createdAt: now,
      updatedAt: now,
    };
  }

  const orderReferral = async (programId: string, orderId: string) =>
    (
      await db
        .select()
        .from(referrals)
        .where(and(eq(referrals.programId, programId), eq(referrals.orderId, orderId)))
        .orderBy(asc(referrals.createdAt), asc(referrals.id))
        .limit(1)
    )[0];

  /**
   * One referral per order: repeats of an order (a thank-you page reloaded, a beacon sent twice)
   * answer the first one whatever email they carry. The order id is not unique in the table, so
   * concurrent repeats are serialised on a lock of their own; the insert runs inside that
   * transaction, never waiting on a second pooled connection while holding this one.
   */
  async function insertOncePerOrder(row: ReferralRow & { orderId: string }): Promise<{ inserted: boolean } | { orderReferralId: string }> {
    return pg.begin(async (tx) => {
      await tx`select pg_advisory_xact_lock(hashtext(${`order:${row.programId}:${row.orderId}`}))`;
      const [first] = await tx<{ id: string }[]>`
        select id from referrals where program_id = ${row.programId} and order_id = ${row.orderId} order by created_at, id limit 1`;
      if (first) return { orderReferralId: first.id };
      return { inserted: (await insertReferralRows(tx, [row])).has(row.id) };
    });
  }

  return {
    /** Records a conversion; `created` false returns the program's existing referral for that email. */
    async convert(
      principal: Principal,
      input: ConversionCreate,
      opts: { oncePerOrder?: boolean } = {},
    ): Promise<{ created: boolean; referral: ReturnType<typeof referralJson> }> {
      assertProgramAccess(principal, input.programId);
      const orderId = opts.oncePerOrder ? input.orderId : undefined;
      if (orderId) {
        const first = await orderReferral(input.programId, orderId);
        if (first) return { created: false, referral: referralJson(first) };
      }
      const found = await lookup({ programId: input.programId, memberId: input.memberId, referralCode: input.referralCode?.toUpperCase() });
      const program = found.program;
      if (!program) throw new ApiError('not_found', `Program ${input.programId} not found`);
      const member: Referrer = found.member ?? (await attributedMember(program.id, input, program.cookieDays));
      if (member.email.toLowerCase() === input.email.toLowerCase() || (input.visitorId && member.visitorId === input.visitorId)) {
        throw new ApiError('self_referral', 'Members cannot refer themselves');
      }

      const row = referralRow(program.id, member, input);
      let inserted: boolean;
      if (orderId) {
        const outcome = await insertOncePerOrder({ ...row, orderId });
        if ('orderReferralId' in outcome) return { created: false, referral: referralJson((await orderReferral(program.id, orderId))!) };
        inserted = outcome.inserted;
      } else {
        // The hot path of the hub: the referral and its `referral.created` event-log row (also the
        // outbox the dispatcher reads) committed together, grouped with concurrent conversions.
        inserted = await insert(row);
      }
      if (inserted) {
        dispatcher?.nudge();
        return { created: true, referral: referralJson(row) };
      }
      const existing = await db.transaction(async (tx) => {
        const [row] = await tx
          .select()
          .from(referrals)
          .where(and(eq(referrals.programId, program.id), sql`lower(${referrals.email}) = lower(${input.email})`))
          .for('update');
        if (!row) throw new Error('referral vanished between insert and select');
        // Someone else's link for an already-referred person: keep the first attribution, note the attempt.
        if (row.memberId !== member.id && !row.fraudFlags.includes('duplicate_attempt')) {
          const [flagged] = await tx
            .update(referrals)
            .set({ fraudFlags: [...row.fraudFlags, 'duplicate_attempt'] })
            .where(eq(referrals.id, row.id))
            .returning();
          return flagged!;
        }
        return row;
      });
      return { created: false, referral: referralJson(existing) };
    },

    async get(principal: Principal, id: string): Promise<ReferralRow> {
      const [r] = await db.select().from(referrals).where(eq(referrals.id, id));
      if (!r || !canAccessProgram(principal, r.programId)) throw new ApiError('not_found', `Referral ${id} not found`);
      return r;
    },

    async list(
      principal: Principal,
      q: {
        programId?: string;
        status?: ReferralStatus;
        memberId?: string;
        email?: string;
        /** An email, external id, order id or referral id (exact; each has an index). */
        search?: string;
        /** Created on or after / before these instants (ids are time-ordered, so this is a key range). */
        createdFrom?: Date;
        createdBefore?: Date;
        updatedSince?: string;
        limit: number;
        cursor?: string;
      },
    ) {
      if (q.programId) assertProgramAccess(principal, q.programId);
      const filters = [
        q.programId ? eq(referrals.programId, q.programId) : undefined,
        principal.programIds.length > 0 ? inArray(referrals.programId, principal.programIds) : undefined,
        q.status ? eq(referrals.status, q.status) : undefined,
        q.memberId ? eq(referrals.memberId, q.memberId) : undefined,
        q.email ? sql`lower(${referrals.email}) = lower(${q.email})` : undefined,
        q.search ? referralSearch(q.search) : undefined,
        q.createdFrom ? gte(referrals.id, idFloorAt('ref', q.createdFrom)) : undefined,
        q.createdBefore ? lt(referrals.id, idFloorAt('ref', q.createdBefore)) : undefined,
      ];
      if (q.updatedSince) {
        // Sync clients walk forward in update order; the cursor carries (updatedAt, id).
        const after = decodeCursor(q.cursor, 2, { timeFirst: true });
        const rows = await db
          .select()
          .from(referrals)
          .where(
            and(
              ...filters,
              gte(referrals.updatedAt, new Date(q.updatedSince)),
              after
                ? or(
                    gt(referrals.updatedAt, new Date(after[0] as string)),
                    and(eq(referrals.updatedAt, new Date(after[0] as string)), gt(referrals.id, after[1] as string)),
                  )
                : undefined,
            ),
          )
          .orderBy(asc(referrals.updatedAt), asc(referrals.id))
          .limit(q.limit + 1);
        const page = pageOf(rows, q.limit, (r) => [r.updatedAt.toISOString(), r.id]);
        return { data: page.data.map(referralJson), nextCursor: page.nextCursor };
      }
      const after = decodeCursor(q.cursor, 1);
      const rows = await db
        .select()
        .from(referrals)
        .where(and(...filters, after ? lt(referrals.id, after[0] as string) : undefined))
        .orderBy(desc(referrals.id))
        .limit(q.limit + 1);
      const page = pageOf(rows, q.limit, (r) => [r.id]);
      return { data: page.data.map(referralJson), nextCursor: page.nextCursor };
    },

    /** Moves forward only (pending → qualified → approved); denied from any open state. */
    async changeStatus(principal: Principal, id: string, status: ReferralStatus) {
      await this.get(principal, id);
      let result;
      try {
        result = await changeReferralStatus(db, id, status);
      } catch (err) {
        if (err instanceof InvalidStatusTransition)
          throw new ApiError('validation_failed', err.message, [{ path: 'status', message: 'invalid transition' }]);
        throw err;
      }
      if (!result) throw new ApiError('not_found', `Referral ${id} not found`);
      if (result.changed) dispatcher?.nudge();
      return referralJson(result.row);
    },
  };
}
