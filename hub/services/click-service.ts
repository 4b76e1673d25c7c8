import { createHash, randomUUID } from 'node:crypto';
import { and, asc, desc, eq, gt, isNull, sql } from 'drizzle-orm';
import { shareSettingsOf } from '../../schema/share-settings-of.js';
import { newId } from '../../lib/ids.js';
import type { Db } from '../../schema/db.js';
import { clicks, members, programs } from '../../schema/tables/index.js';

export interface ClickInput {
  code: string;
  visitorId?: string;
  ip?: string;
  userAgent?: string;
  /** false for requests without a person behind them (HEAD, crawlers): redirect, record nothing. */
  record: boolean;
}

/** A click reported by a page's script for a program it is allowed to speak for. */
export interface TrackedClickInput {
  programId: string;
  code: string;
  /** The `rh_vid` cookie, or a stand-in derived from the address and user agent. */
  visitorId: string;
  ip?: string;
  userAgent?: string;
  /** The page the visitor landed on; the program's landing page when the script did not say. */
  url?: string;
}

/** The same visitor following the same member's link again within this window is one click. */
export const CLICK_DEDUPE_MS = 30 * 60_000;

export function createClickService(db: Db, publicUrl: string, ipHashSalt: string) {
  const hashIp = (ip: string | undefined) => (ip ? createHash('sha256').update(`${ipHashSalt}:${ip}`).digest('hex') : null);
  // Every referral link hit runs these two. Prepared once: drizzle otherwise rebuilds the SQL per
  // call and sends it unprepared, so PostgreSQL parses and plans it again on every click.
  const lookup = db
    .select({ member: members, program: programs })
    .from(members)
    .innerJoin(programs, eq(programs.id, members.programId))
    .where(and(eq(members.referralCode, sql.placeholder('code')), isNull(members.deletedAt)))
    .prepare('click_lookup');
  const insertClick = db
    .insert(clicks)
    .values({
      id: sql.placeholder('id'),
      programId: sql.placeholder('programId'),
      memberId: sql.placeholder('memberId'),
      visitorId: sql.placeholder('visitorId'),
      ipHash: sql.placeholder('ipHash'),
      userAgent: sql.placeholder('userAgent'),
      landingUrl: sql.placeholder('landingUrl'),
    })
    .prepare('click_insert');

  return {
    /** Where to send the browser, and the attribution to remember in cookies. */
    async click(input: ClickInput): Promise<{ location: string; visitorId: string; code?: string; cookieDays?: number }> {
      const visitorId = input.visitorId && /^[\w-]{8,64}$/.test(input.visitorId) ? input.visitorId : randomUUID();
      const [hit] = input.code.length <= 64 ? await lookup.execute({ code: input.code.toUpperCase() }) : [];
      if (!hit || hit.program.status !== 'active') {
        // Unknown, retired or paused code: still land somewhere useful, without attribution.
        const [fallback] = await db
          .select({ url: programs.landingUrl })
          .from(programs)
          .where(eq(programs.status, 'active'))
          .orderBy(asc(programs.createdAt))
          .limit(1);
        return { location: hit?.program.landingUrl ?? fallback?.url ?? publicUrl, visitorId };
      }
      const url = new URL(hit.program.landingUrl);
      // The parameter the program's pages read the code from (referral.js's data-ref-param).
      url.searchParams.set(shareSettingsOf(hit.program).refParam, hit.member.referralCode);
      if (input.record) {
        await insertClick.execute({
          id: newId('clk'),
          programId: hit.program.id,
          memberId: hit.member.id,
          visitorId,
          ipHash: hashIp(input.ip),
          userAgent: input.userAgent?.slice(0, 500) ?? null,
          landingUrl: url.toString(),
        });
      }
      return { location: url.toString(), visitorId, code: hit.member.referralCode, cookieDays: hit.program.cookieDays };
    },

    /**
     * Records a click for a code of this program, or returns the visitor's click on the same code
     * from the last 30 minutes (reloads, back buttons, a script that fires twice). Undefined when
     * no member of this program has the code. Serialised per program, member and visitor so two
     * repeats arriving together still make one click.
     */
    async track(input: TrackedClickInput): Promise<{ clickId: string; repeated: boolean } | undefined> {
      const [member] = await db
        .select({ id: members.id, code: members.referralCode, landingUrl: programs.landingUrl, share: programs.share })
        .from(members)
        .innerJoin(programs, eq(programs.id, members.programId))
        .where(and(eq(members.programId, input.programId), eq(members.referralCode, input.code.toUpperCase()), isNull(members.deletedAt)));
      if (!member) return undefined;
      return db.transaction(async (tx) => {
        await tx.execute(sql`select pg_advisory_xact_lock(hashtext(${`click:${input.programId}:${member.id}:${input.visitorId}`}))`);
        const [recent] = await tx
          .select({ id: clicks.id })
          .from(clicks)
          .where(
            and(
              eq(clicks.programId, input.programId),
              eq(clicks.visitorId, input.visitorId),
              eq(clicks.memberId, member.id),
              gt(clicks.createdAt, new Date(Date.now() - CLICK_DEDUPE_MS)),
            ),
          )
          .orderBy(desc(clicks.createdAt))
          .limit(1);
        if (recent) return { clickId: recent.id, repeated: true };
        const landing = new URL(member.landingUrl);
        landing.searchParams.set(shareSettingsOf(member).refParam, member.code);
        const clickId = newId('clk');
        await tx.insert(clicks).values({
          id: clickId,
          programId: input.programId,
          memberId: member.id,
          visitorId: input.visitorId,
          ipHash: hashIp(input.ip),
          userAgent: input.userAgent?.slice(0, 500) ?? null,
          landingUrl: input.url ?? landing.toString(),
        });
        return { clickId, repeated: false };
      });
    },
  };
}
