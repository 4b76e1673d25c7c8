import { createHash, randomUUID } from 'node:crypto';
import { and, asc, desc, eq, gt, isNull, sql } from 'drizzle-orm';
import { shareSettingsOf } from '../../schema/share-settings-of.js';
import { newId } from '../../lib/ids.js';
import type { Db, Sql } from '../../schema/db.js';
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

/** Most referral codes a hub keeps resolved in memory (the map is emptied when it grows past this). */
const CACHED_CODES = 10_000;
/** How long a resolved code is reused before it is looked up again (see `click` for why this is safe). */
const CODE_CACHE_MS = 60_000;

/** A code resolved by the slow path: everything a click's row and answer need, and what it was built from. */
interface LinkTarget {
  programId: string;
  memberId: string;
  code: string;
  /** The program's landing URL and ref parameter as read, and the link's destination built from them. */
  landingUrl: string;
  refParam: string;
  location: string;
  cookieDays: number;
  until: number;
}

export function createClickService(db: Db, pg: Sql, publicUrl: string, ipHashSalt: string) {
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

  const targets = new Map<string, LinkTarget>();

  /**
   * The click row for a code resolved earlier, in one round trip: inserted only if the member and
   * program still say what the cached target was built from (member not deleted and still holding
   * the code, program active, same landing URL, ref parameter and cookie days). So the cache can
   * never count a click the database would refuse now: a paused program or a deleted member stops
   * counting at the very next click, on every replica. Returns false when it inserted nothing.
   */
  async function insertVerified(
    target: LinkTarget,
    click: { id: string; visitorId: string; ipHash: string | null; userAgent: string | null },
  ) {
    const rows = await pg`
      insert into clicks (id, program_id, member_id, visitor_id, ip_hash, user_agent, landing_url)
      select ${click.id}, p.id, m.id, ${click.visitorId}, ${click.ipHash}, ${click.userAgent}, ${target.location}
      from members m join programs p on p.id = m.program_id
      where m.id = ${target.memberId} and m.referral_code = ${target.code} and m.deleted_at is null
        and p.id = ${target.programId} and p.status = 'active' and p.landing_url = ${target.landingUrl}
        and p.cookie_days = ${target.cookieDays} and coalesce(p.share->>'refParam', 'ref') = ${target.refParam}
      returning id`;
    return rows.length === 1;
  }

  return {
    /**
     * Where to send the browser, and the attribution to remember in cookies.
     *
     * A person's click on a code this hub resolved in the last minute costs one statement (the
     * verified insert above) instead of a look-up and an insert. When that statement inserts
     * nothing (the program was paused or changed, the member deleted), the entry is dropped and
     * the click takes the slow path, which reads the program afresh. Robots and HEAD requests,
     * which record nothing, always take the slow path: no statement would check their answer.
     */
    async click(input: ClickInput): Promise<{ location: string; visitorId: string; code?: string; cookieDays?: number }> {
      const visitorId = input.visitorId && /^[\w-]{8,64}$/.test(input.visitorId) ? input.visitorId : randomUUID();
      const code = input.code.toUpperCase();
      const click = () => ({
        id: newId('clk'),
        visitorId,
        ipHash: hashIp(input.ip),
        userAgent: input.userAgent?.slice(0, 500) ?? null,
      });
      const cached = input.record ? targets.get(code) : undefined;
      if (cached && cached.until > Date.now()) {
        if (await insertVerified(cached, click()))
          return { location: cached.location, visitorId, code: cached.code, cookieDays: cached.cookieDays };
      }
      if (cached) targets.delete(code);

      const [hit] = input.code.length <= 64 ? await lookup.execute({ code }) : [];
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
      const refParam = shareSettingsOf(hit.program).refParam;
      url.searchParams.set(refParam, hit.member.referralCode);
      if (input.record) {
        await insertClick.execute({ ...click(), programId: hit.program.id, memberId: hit.member.id, landingUrl: url.toString() });
        if (targets.size >= CACHED_CODES) targets.clear();
        targets.set(code, {
          programId: hit.program.id,
          memberId: hit.member.id,
          code: hit.member.referralCode,
          landingUrl: hit.program.landingUrl,
          refParam,
          location: url.toString(),
          cookieDays: hit.program.cookieDays,
          until: Date.now() + CODE_CACHE_MS,
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
