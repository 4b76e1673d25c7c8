import { createMicroBatcher } from '../../lib/create-micro-batcher.js';
import { newId } from '../../lib/ids.js';
import type { Sql } from '../../schema/db.js';
import { referralJson, type ReferralRow } from '../../schema/public-json.js';

export type ReferralInserter = (row: ReferralRow) => Promise<boolean>;

/**
 * The referral and its `referral.created` event, committed together; resolves true, or false
 * when the program already has a referral for that email.
 *
 * Group commit for the hub's hot path. Conversions that arrive while earlier ones are being
 * written wait and go together in the next statement: one round trip and one WAL flush for all
 * of them instead of one each. Every caller is answered only after its own row is committed, and
 * under light load a batch is a single row that waits for nothing.
 */
export function createReferralInserter(pg: Sql): ReferralInserter {
  /** One statement for the whole batch; returns the ids actually inserted (others conflicted). */
  async function insertAll(rows: ReferralRow[]): Promise<Set<string>> {
    // JSON, numbers and dates go in as text arrays: drizzle turns off postgres.js' own serializers.
    const col = <T>(pick: (r: ReferralRow) => T) => rows.map(pick);
    const text = (v: unknown) => (v === null || v === undefined ? null : String(v));
    const inserted = await pg<{ id: string }[]>`
      with input as (
        select * from unnest(
          ${col((r) => r.id)}::text[], ${col((r) => r.programId)}::text[], ${col((r) => r.memberId)}::text[],
          ${col((r) => r.email)}::text[], ${col((r) => r.firstName) as string[]}::text[], ${col((r) => r.lastName) as string[]}::text[],
          ${col((r) => r.phone) as string[]}::text[], ${col((r) => r.externalId) as string[]}::text[], ${col((r) => r.status)}::text[],
          ${col((r) => r.source)}::text[], ${col((r) => r.visitorId) as string[]}::text[], ${col((r) => text(r.amount)) as string[]}::text[],
          ${col((r) => r.currency) as string[]}::text[], ${col((r) => r.orderId) as string[]}::text[],
          ${col((r) => JSON.stringify(r.customFields))}::text[], ${col((r) => JSON.stringify(r.fraudFlags))}::text[],
          ${col((r) => r.createdAt.toISOString())}::text[], ${col(() => newId('evt'))}::text[],
          ${col((r) => JSON.stringify(referralJson(r)))}::text[]
        ) as t(id, program_id, member_id, email, first_name, last_name, phone, external_id, status, source, visitor_id,
               amount, currency, order_id, custom_fields, fraud_flags, created_at, event_id, payload)
      ), r as (
        insert into referrals (id, program_id, member_id, email, first_name, last_name, phone, external_id, status, source,
          visitor_id, amount, currency, order_id, custom_fields, fraud_flags, created_at, updated_at)
        select id, program_id, member_id, email, first_name, last_name, phone, external_id, status, source,
          visitor_id, amount::numeric, currency, order_id, custom_fields::jsonb, fraud_flags::jsonb, created_at::timestamptz, created_at::timestamptz
        from input
        on conflict do nothing returning id
      ), e as (
        insert into events (id, type, program_id, subject_id, payload)
        select i.event_id, 'referral.created', i.program_id, r.id, i.payload::jsonb from r join input i on i.id = r.id
      )
      select id from r`;
    return new Set(inserted.map((x) => x.id));
  }

  // Two statements in flight: one commits while the next one fills. 256 takes every waiting
  // request of a busy hub and still keeps one statement short.
  return createMicroBatcher({
    maxBatch: 256,
    maxInFlight: 2,
    async run(rows: ReferralRow[]) {
      const ids = await insertAll(rows);
      return rows.map((r) => ids.has(r.id));
    },
  });
}
