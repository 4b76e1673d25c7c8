import { createMicroBatcher } from '../../lib/create-micro-batcher.js';
import type { Sql } from '../../schema/db.js';

export interface ConversionLookupQuery {
  programId: string;
  memberId?: string;
  /** Upper-cased: codes are issued upper-case and the unique index compares exactly. */
  referralCode?: string;
}

export interface ConversionLookupResult {
  program: { id: string; cookieDays: number } | undefined;
  /** The referrer named by member id or code, if any (visitor attribution is done elsewhere). */
  member: { id: string; email: string; visitorId: string | null } | undefined;
}

export type ConversionLookup = (query: ConversionLookupQuery) => Promise<ConversionLookupResult>;

/**
 * Program and referrer for conversions, many at a time: concurrent conversions share one
 * round trip (see createMicroBatcher), which on a busy hub saves a query per request.
 */
export function createConversionLookup(pg: Sql): ConversionLookup {
  return createMicroBatcher({
    maxBatch: 256,
    maxInFlight: 2,
    async run(queries: ConversionLookupQuery[]) {
      const rows = await pg<
        {
          ord: string;
          program_id: string | null;
          cookie_days: number | null;
          member_id: string | null;
          member_email: string | null;
          member_visitor_id: string | null;
        }[]
      >`
        select q.ord, p.id as program_id, p.cookie_days, m.id as member_id, m.email as member_email, m.visitor_id as member_visitor_id
        from unnest(${queries.map((q) => q.programId)}::text[], ${queries.map((q) => q.memberId ?? null) as string[]}::text[],
                    ${queries.map((q) => q.referralCode ?? null) as string[]}::text[]) with ordinality as q(program_id, member_id, code, ord)
        left join programs p on p.id = q.program_id
        left join lateral (
          select id, email, visitor_id from members
          where program_id = p.id and deleted_at is null and (id = q.member_id or referral_code = q.code)
          limit 1) m on true
        order by q.ord`;
      return rows.map((r) => ({
        program: r.program_id ? { id: r.program_id, cookieDays: r.cookie_days! } : undefined,
        member: r.member_id ? { id: r.member_id, email: r.member_email!, visitorId: r.member_visitor_id } : undefined,
      }));
    },
  });
}
