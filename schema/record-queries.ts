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
// export does no per-row date or key work in JS. Keyed by field, so a query selects (and the
// driver parses) only the fields a mapping reads. `member` rides along for mapping.
const COLUMNS: Record<Resource, Record<string, string>> = {
  referrals: {
    id: 'r.id', programId: 'r.program_id', memberId: 'r.member_id', email: 'r.email', firstName: 'r.first_name',
    lastName: 'r.last_name', phone: 'r.phone', externalId: 'r.external_id', status: 'r.status', source: 'r.source',
    amount: 'r.amount::float8', currency: 'r.currency', orderId: 'r.order_id', fraudFlags: 'r.fraud_flags',
    customFields: 'r.custom_fields', createdAt: ts('r.created_at'), updatedAt: ts('r.updated_at'),
  },
  members: {
    id: 'r.id', programId: 'r.program_id', email: 'r.email', firstName: 'r.first_name', lastName: 'r.last_name',
    externalId: 'r.external_id', referralCode: 'r.referral_code', customFields: 'r.custom_fields',
    createdAt: ts('r.created_at'), updatedAt: ts('r.updated_at'),
  },
  rewards: {
    id: 'r.id', programId: 'r.program_id', ruleId: 'r.rule_id', referralId: 'r.referral_id', memberId: 'r.member_id',
    recipient: 'r.recipient', amount: 'r.amount::float8', currency: 'r.currency', kind: 'r.kind', status: 'r.status',
    trigger: 'r.trigger', createdAt: ts('r.created_at'), updatedAt: ts('r.updated_at'),
  },
};
const MEMBER: Record<Resource, string | null> = {
  referrals: `json_build_object('id', m.id, 'email', m.email, 'firstName', m.first_name, 'lastName', m.last_name,
      'referralCode', m.referral_code, 'externalId', m.external_id)`,
  members: null,
  rewards: `json_build_object('id', m.id, 'email', m.email, 'firstName', m.first_name, 'lastName', m.last_name, 'referralCode', m.referral_code)`,
};

/** Which parts of a record a reader needs: some fields (or all) and whether the referrer rides along. */
export interface RecordNeeds { fields: readonly string[] | 'all'; member: boolean }
const EVERYTHING: RecordNeeds = { fields: 'all', member: true };

function selectList(resource: Resource, needs: RecordNeeds): string {
  const columns = COLUMNS[resource];
  const keys = needs.fields === 'all' ? Object.keys(columns) : needs.fields.filter((k) => Object.hasOwn(columns, k));
  // `id` always, so a record is never empty and a row can be named in errors.
  const list = [...new Set(['id', ...keys])].map((k) => `${columns[k]} as "${k}"`);
  const member = MEMBER[resource];
  list.push(needs.member && member ? `${member} as member` : 'null::json as member');
  return list.join(', ');
}

const TABLE: Record<Resource, string> = { referrals: 'referrals', members: 'members', rewards: 'rewards' };

// The referrer is joined only when asked for: member_id is NOT NULL with a foreign key, so the
// join never drops a row, and leaving it out saves its work on every row.
function fromList(resource: Resource, needs: RecordNeeds): string {
  return needs.member && MEMBER[resource] ? `${TABLE[resource]} r join members m on m.id = r.member_id` : `${TABLE[resource]} r`;
}

export type RecordFilter =
  /** Manual export: records created in [from, to). */
  | { kind: 'time'; from: string; to: string; programIds: string[] }
  /** Scheduled run: records whose creation event lies in the run's event-log range. */
  | { kind: 'range'; fromTxid: string; fromSeq: number; toTxid: string; startFrom: string | null; programIds: string[] };

function query(sql: Sql, resource: Resource, f: RecordFilter, needs: RecordNeeds): PendingQuery<Row[]> {
  const select = selectList(resource, needs);
  const from = fromList(resource, needs);
  const programs = f.programIds.length > 0 ? sql`and r.program_id = any(${f.programIds})` : sql``;
  if (f.kind === 'time') {
    return sql`
      select ${sql.unsafe(select)} from ${sql.unsafe(from)}
      where r.created_at >= ${f.from}::timestamptz and r.created_at < ${f.to}::timestamptz ${programs}
      order by r.created_at, r.id`;
  }
  const since = f.startFrom ? sql`and e.created_at >= ${f.startFrom}::timestamptz` : sql``;
  return sql`
    select ${sql.unsafe(select)}
    from events e join ${sql.unsafe(from)} on r.id = e.subject_id
    where e.type = ${CREATED_EVENT[resource]}
      and (e.txid, e.seq) > (${f.fromTxid}::xid8, ${f.fromSeq}) and e.txid < ${f.toTxid}::xid8
      ${since} ${programs}
    order by e.txid, e.seq`;
}

/**
 * Streams records in batches from a server-side cursor: memory stays flat at any size. `needs`
 * narrows the columns to what the reader maps (see recordNeeds); by default, everything.
 */
export async function* streamRecords(sql: Sql, resource: Resource, filter: RecordFilter, needs: RecordNeeds = EVERYTHING, batchSize = 1000): AsyncGenerator<Record<string, unknown>[]> {
  for await (const rows of query(sql, resource, filter, needs).cursor(batchSize)) yield rows as Record<string, unknown>[];
}
