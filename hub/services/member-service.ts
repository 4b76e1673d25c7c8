import { and, count, desc, eq, inArray, isNull, lt, or, sql } from 'drizzle-orm';
import { newId } from '../../lib/ids.js';
import { appendEvent } from '../../schema/append-event.js';
import type { Db } from '../../schema/db.js';
import { memberJson, type MemberRow } from '../../schema/public-json.js';
import { clicks, members, programs } from '../../schema/tables/index.js';
import type { MemberCreate, MemberPatch } from '../contracts/member-contract.js';
import { ApiError } from '../http/api-error.js';
import { assertProgramAccess, canAccessProgram } from '../http/api-key-auth.js';
import type { Principal } from '../http/hub-env.js';
import { decodeCursor, pageOf } from './page-cursor.js';
import { generateReferralCode } from './referral-code.js';

/**
 * One search box over exact keys that have indexes: an email (case-insensitive, the program-email
 * index), else a referral code (unique, issued upper-case) or an external id. Names are not
 * searched: there is no index for them, and a scan would not stay fast on large programs.
 */
function searchCondition(search: string) {
  const term = search.trim();
  if (term.includes('@')) return sql`lower(${members.email}) = lower(${term})`;
  return or(eq(members.referralCode, term.toUpperCase()), eq(members.externalId, term), eq(members.id, term));
}

export function createMemberService(db: Db, publicUrl: string) {
  const json = (m: MemberRow) => memberJson(m, publicUrl);

  async function getRow(principal: Principal, id: string): Promise<MemberRow> {
    const [m] = await db
      .select()
      .from(members)
      .where(and(eq(members.id, id), isNull(members.deletedAt)));
    if (!m || !canAccessProgram(principal, m.programId)) throw new ApiError('not_found', `Member ${id} not found`);
    return m;
  }

  return {
    json,
    getRow,

    /**
     * Idempotent per program + email (case-insensitive): `created` false means it already existed.
     * `onCreated` runs inside the creating transaction (only when a member was created): what it
     * starts belongs to the new member, and when it throws, the member is not created either.
     */
    async create(
      principal: Principal,
      input: MemberCreate,
      opts: { onCreated?: (member: ReturnType<typeof json>) => Promise<void> } = {},
    ): Promise<{ created: boolean; member: ReturnType<typeof json> }> {
      assertProgramAccess(principal, input.programId);
      const [program] = await db.select({ id: programs.id }).from(programs).where(eq(programs.id, input.programId));
      if (!program) throw new ApiError('not_found', `Program ${input.programId} not found`);
      const byEmail = and(eq(members.programId, input.programId), sql`lower(${members.email}) = lower(${input.email})`);

      // A code collision makes the insert a no-op too; try a fresh code a few times.
      for (let attempt = 0; attempt < 8; attempt++) {
        const result = await db.transaction(async (tx) => {
          const now = new Date();
          const [created] = await tx
            .insert(members)
            .values({
              id: newId('mem'),
              programId: input.programId,
              email: input.email,
              firstName: input.firstName ?? null,
              lastName: input.lastName ?? null,
              externalId: input.externalId ?? null,
              visitorId: input.visitorId ?? null,
              customFields: input.customFields,
              payoutDetails: input.payoutDetails ?? null,
              referralCode: generateReferralCode(input.firstName ?? input.email.split('@')[0]!, 3 + Math.floor(attempt / 3)),
              createdAt: now,
              updatedAt: now,
            })
            .onConflictDoNothing()
            .returning();
          if (created) {
            await appendEvent(tx, { type: 'member.created', programId: created.programId, subjectId: created.id, payload: json(created) });
            await opts.onCreated?.(json(created));
            return { created: true, member: json(created) };
          }
          const [existing] = await tx.select().from(members).where(byEmail);
          return existing ? { created: false, member: json(existing) } : undefined;
        });
        if (result) return result;
      }
      throw new Error('could not allocate a unique referral code');
    },

    async list(
      principal: Principal,
      q: { programId?: string; email?: string; externalId?: string; search?: string; limit: number; cursor?: string },
    ) {
      if (q.programId) assertProgramAccess(principal, q.programId);
      const after = decodeCursor(q.cursor, 1);
      const rows = await db
        .select()
        .from(members)
        .where(
          and(
            isNull(members.deletedAt),
            q.programId ? eq(members.programId, q.programId) : undefined,
            principal.programIds.length > 0 ? inArray(members.programId, principal.programIds) : undefined,
            q.email ? sql`lower(${members.email}) = lower(${q.email})` : undefined,
            q.externalId ? eq(members.externalId, q.externalId) : undefined,
            q.search ? searchCondition(q.search) : undefined,
            after ? lt(members.id, after[0] as string) : undefined,
          ),
        )
        .orderBy(desc(members.id))
        .limit(q.limit + 1);
      const page = pageOf(rows, q.limit, (m) => [m.id]);
      return { data: page.data.map(json), nextCursor: page.nextCursor };
    },

    /** How many clicks the member's link has had (their detail page; the portal counts the same way). */
    async clickCount(principal: Principal, id: string): Promise<number> {
      const m = await getRow(principal, id);
      const [row] = await db
        .select({ n: count() })
        .from(clicks)
        .where(and(eq(clicks.programId, m.programId), eq(clicks.memberId, id)));
      return row?.n ?? 0;
    },

    /** Email and name of the given members the principal may see, for lists that show who. */
    async summaries(principal: Principal, ids: string[]): Promise<Map<string, { email: string; name: string }>> {
      const unique = [...new Set(ids)];
      if (unique.length === 0) return new Map();
      const rows = await db
        .select({ id: members.id, programId: members.programId, email: members.email, first: members.firstName, last: members.lastName })
        .from(members)
        .where(inArray(members.id, unique));
      return new Map(
        rows
          .filter((r) => canAccessProgram(principal, r.programId))
          .map((r) => [r.id, { email: r.email, name: [r.first, r.last].filter(Boolean).join(' ') }]),
      );
    },

    async patch(principal: Principal, id: string, input: MemberPatch) {
      await getRow(principal, id);
      try {
        return await db.transaction(async (tx) => {
          const [updated] = await tx
            .update(members)
            .set({ ...input, updatedAt: new Date() })
            .where(eq(members.id, id))
            .returning();
          await appendEvent(tx, { type: 'member.updated', programId: updated!.programId, subjectId: id, payload: json(updated!) });
          return json(updated!);
        });
      } catch (err) {
        // drizzle wraps the driver's error: the SQLSTATE sits on its cause.
        const e = err as { code?: string; cause?: { code?: string } };
        if ((e.code ?? e.cause?.code) === '23505') {
          throw new ApiError('validation_failed', 'Another member of this program has that email', [
            { path: 'email', message: 'already used' },
          ]);
        }
        throw err;
      }
    },

    /**
     * Removes the member's personal data and retires the code; the row stays because
     * referrals and rewards point at it. The email is freed so the person can join again.
     */
    async remove(principal: Principal, id: string): Promise<void> {
      const member = await getRow(principal, id);
      await db.transaction(async (tx) => {
        await tx
          .update(members)
          .set({
            email: `deleted+${id}@invalid`,
            firstName: null,
            lastName: null,
            externalId: null,
            visitorId: null,
            customFields: {},
            payoutDetails: null,
            deletedAt: new Date(),
            updatedAt: new Date(),
          })
          .where(eq(members.id, id));
        await appendEvent(tx, {
          type: 'member.deleted',
          programId: member.programId,
          subjectId: id,
          payload: { id, programId: member.programId },
        });
      });
    },
  };
}
