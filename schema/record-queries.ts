import type { PendingQuery, Row } from 'postgres';
import type { Sql } from './db.js';

export const RESOURCES = ['referrals', 'members', 'rewards'] as const;
export type Resource = (typeof RESOURCES)[number];

/** The singular name used as the mapping root (`referral.email`). */
export const RECORD_ROOT: Record<Resource, 'referral' | 'member' | 'reward'> = { referrals: 'referral', members: 'member', rewards: 'reward' };
/** The event that marks a record as new (scheduled deliveries send each record once). */
export const CREATED_EVENT: Record<Resource, string> = { referrals: 'referral.created', members: 'member.created', rewards: 'reward.created' };
export const DEFAULT_FIELDS: Record<Resource, string[]> = {
  referrals: ['id', 'programId', 'memberId', 'email', 'firstName', 'lastName', 'status', 'source', 'createdAt'],
  members: ['id', 'programId', 'email', 'firstName', 'lastName', 'referralCode', 'createdAt'],
  rewards: ['id', 'programId', 'referralId', 'memberId', 'recipient', 'amount', 'currency', 'kind', 'status', 'createdAt'],
};

const ts = (col: string) => `to_char(${col} at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')`;

// Public JSON of each resource built in SQL (ISO timestamps, camelCase), so a million-row
// export does no per-row date or key work in JS. `member` rides along for mapping.
const SELECT: Record<Resource, string> = {
  referrals: `r.id, r.program_id as "programId", r.member_id as "memberId", r.email, r.first_name as "firstName",
    r.last_name as "lastName", r.phone, r.external_id as "externalId", r.status, r.source, r.amount::float8 as amount,
    r.currency, r.order_id as "orderId", r.fraud_flags as "fraudFlags", r.custom_fields as "customFields",
    ${ts('r.created_at')} as "createdAt", ${ts('r.updated_at')} as "updatedAt",
    json_build_object('id', m.id, 'email', m.email, 'firstName', m.first_name, 'lastName', m.last_name,
      'referralCode', m.referral_code, 'externalId', m.external_id) as member`,
  members: `r.id, r.program_id as "programId", r.email, r.first_name as "firstName", r.last_name as "lastName",
    r.external_id as "externalId", r.referral_code as "referralCode", r.custom_fields as "customFields",
    ${ts('r.created_at')} as "createdAt", ${ts('r.updated_at')} as "updatedAt", null::json as member`,
  rewards: `r.id, r.program_id as "programId", r.rule_id as "ruleId", r.referral_id as "referralId", r.member_id as "memberId",
    r.recipient, r.amount::float8 as amount, r.currency, r.kind, r.status, r.trigger, ${ts('r.created_at')} as "createdAt",
    ${ts('r.updated_at')} as "updatedAt",
    json_build_object('id', m.id, 'email', m.email, 'firstName', m.first_name, 'lastName', m.last_name, 'referralCode', m.referral_code) as member`,
};
const FROM: Record<Resource, string> = {
  referrals: 'referrals r join members m on m.id = r.member_id',
  members: 'members r',
  rewards: 'rewards r join members m on m.id = r.member_id',
};

export type RecordFilter =
  /** Manual export: records created in [from, to). */
  | { kind: 'time'; from: string; to: string; programIds: string[] }
  /** Scheduled run: records whose creation event lies in the run's event-log range. */
  | { kind: 'range'; fromTxid: string; fromSeq: number; toTxid: string; startFrom: string | null; programIds: string[] };

function query(sql: Sql, resource: Resource, f: RecordFilter): PendingQuery<Row[]> {
  const programs = f.programIds.length > 0 ? sql`and r.program_id = any(${f.programIds})` : sql``;
  if (f.kind === 'time') {
    return sql`
      select ${sql.unsafe(SELECT[resource])} from ${sql.unsafe(FROM[resource])}
      where r.created_at >= ${f.from}::timestamptz and r.created_at < ${f.to}::timestamptz ${programs}
      order by r.created_at, r.id`;
  }
  const since = f.startFrom ? sql`and e.created_at >= ${f.startFrom}::timestamptz` : sql``;
  return sql`
    select ${sql.unsafe(SELECT[resource])}
    from events e join ${sql.unsafe(FROM[resource])} on r.id = e.subject_id
    where e.type = ${CREATED_EVENT[resource]}
      and (e.txid, e.seq) > (${f.fromTxid}::xid8, ${f.fromSeq}) and e.txid < ${f.toTxid}::xid8
      ${since} ${programs}
    order by e.txid, e.seq`;
}

/** Streams records in batches from a server-side cursor: memory stays flat at any size. */
export async function* streamRecords(sql: Sql, resource: Resource, filter: RecordFilter, batchSize = 1000): AsyncGenerator<Record<string, unknown>[]> {
  for await (const rows of query(sql, resource, filter).cursor(batchSize)) yield rows as Record<string, unknown>[];
}
