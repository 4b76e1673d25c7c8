import type postgres from 'postgres';
import { currentActor } from '../../lib/actor-context.js';
import { newId } from '../../lib/ids.js';
import type { Sql } from '../../schema/db.js';
import type { EventActor } from '../../schema/tables/events.js';
import { referralJson, type ReferralRow } from '../../schema/public-json.js';

/**
 * Referrals and their `referral.created` events in one statement, on the pool or inside a caller's
 * transaction; returns the ids actually inserted (the others' emails were already referred).
 */
export async function insertReferralRows(
  pg: Sql | postgres.TransactionSql,
  rows: ReferralRow[],
  // Who asked for each row (rows of one batch may come from different requests).
  actors: (EventActor | null)[] = rows.map(() => currentActor() ?? null),
): Promise<Set<string>> {
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
        ${col((r) => JSON.stringify(referralJson(r)))}::text[], ${actors.map((a) => (a ? JSON.stringify(a) : null)) as string[]}::text[]
      ) as t(id, program_id, member_id, email, first_name, last_name, phone, external_id, status, source, visitor_id,
             amount, currency, order_id, custom_fields, fraud_flags, created_at, event_id, payload, actor)
    ), r as (
      insert into referrals (id, program_id, member_id, email, first_name, last_name, phone, external_id, status, source,
        visitor_id, amount, currency, order_id, custom_fields, fraud_flags, created_at, updated_at)
      select id, program_id, member_id, email, first_name, last_name, phone, external_id, status, source,
        visitor_id, amount::numeric, currency, order_id, custom_fields::jsonb, fraud_flags::jsonb, created_at::timestamptz, created_at::timestamptz
      from input
      on conflict do nothing returning id
    ), e as (
      insert into events (id, type, program_id, subject_id, payload, actor)
      select i.event_id, 'referral.created', i.program_id, r.id, i.payload::jsonb, i.actor::jsonb from r join input i on i.id = r.id
    )
    select id from r`;
  return new Set(inserted.map((x) => x.id));
}
