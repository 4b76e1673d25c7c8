import { createHash, randomUUID } from 'node:crypto';
import { and, asc, eq, isNull } from 'drizzle-orm';
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

export function createClickService(db: Db, publicUrl: string, ipHashSalt: string) {
  return {
    /** Where to send the browser, and the attribution to remember in cookies. */
    async click(input: ClickInput): Promise<{ location: string; visitorId: string; code?: string; cookieDays?: number }> {
      const visitorId = input.visitorId && /^[\w-]{8,64}$/.test(input.visitorId) ? input.visitorId : randomUUID();
      const [hit] =
        input.code.length <= 64
          ? await db
              .select({ member: members, program: programs })
              .from(members)
              .innerJoin(programs, eq(programs.id, members.programId))
              .where(and(eq(members.referralCode, input.code.toUpperCase()), isNull(members.deletedAt)))
          : [];
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
      url.searchParams.set('ref', hit.member.referralCode);
      if (input.record) {
        await db.insert(clicks).values({
          id: newId('clk'),
          programId: hit.program.id,
          memberId: hit.member.id,
          visitorId,
          ipHash: input.ip ? createHash('sha256').update(`${ipHashSalt}:${input.ip}`).digest('hex') : null,
          userAgent: input.userAgent?.slice(0, 500) ?? null,
          landingUrl: url.toString(),
        });
      }
      return { location: url.toString(), visitorId, code: hit.member.referralCode, cookieDays: hit.program.cookieDays };
    },
  };
}
