import type { PendingQuery, Row } from 'postgres';
import type { Sql } from './db.js';
import { MEMBER_FIELDS, MEMBER_JOIN, RECORD_COLUMNS, RECORD_TABLE } from './record-columns.js';
import { PAYOUT_STATUSES } from './tables/payouts.js';
import { REFERRAL_STATUSES } from './tables/referrals.js';
import { REWARD_STATUSES } from './tables/rewards.js';

export const RESOURCES = ['referrals', 'members', 'rewards', 'payouts'] as const;
export type Resource = (typeof RESOURCES)[number];

/**
 * What a schedule may deliver. Not payouts: a schedule sends each record once, when it is
 * created, and a payout is still pending then; what it became (sent, paid, failed) would never
 * reach the file. Payouts are exported on demand instead.
 */
export const SCHEDULED_RESOURCES = ['referrals', 'members', 'rewards'] as const satisfies readonly Resource[];

/** The singular name used as the mapping root (`referral.email`). */
export const RECORD_ROOT: Record<Resource, 'referral' | 'member' | 'reward' | 'payout'> = {
  referrals: 'referral',
  members: 'member',
  rewards: 'reward',
  payouts: 'payout',
};
/** The event that marks a record as new (scheduled deliveries send each record once). */
export const CREATED_EVENT: Record<Resource, string> = {
  referrals: 'referral.created',
  members: 'member.created',
  rewards: 'reward.created',
  payouts: 'payout.created',
};
/** The values of each resource's `status` field, which exports can filter on (members have none). */
export const RECORD_STATUSES: Record<Resource, readonly string[] | null> = {
  referrals: REFERRAL_STATUSES,
  members: null,
  rewards: REWARD_STATUSES,
  payouts: PAYOUT_STATUSES,
};
export const DEFAULT_FIELDS: Record<Resource, string[]> = {
  referrals: ['id', 'programId', 'memberId', 'email', 'firstName', 'lastName', 'status', 'source', 'createdAt'],
  members: ['id', 'programId', 'email', 'firstName', 'lastName', 'referralCode', 'createdAt'],
  rewards: ['id', 'programId', 'referralId', 'memberId', 'recipient', 'amount', 'currency', 'kind', 'status', 'createdAt'],
  // Enough to pay one by hand: who (and at which address), how much, and where it stands.
  payouts: [
    'id',
    'programId',
    'memberId',
    'member.email',
    'recipientReferralId',
    'recipientEmail',
    'paypalEmail',
    'amount',
    'currency',
    'rewardKind',
    'status',
    'provider',
    'providerReference',
    'createdAt',
  ],
};

// Public JSON of each resource built in SQL (ISO timestamps, camelCase), so a million-row
// export does no per-row date or key work in JS. A query selects (and the driver parses) only
// the fields a mapping reads. `member` rides along for mapping.
const MEMBER = Object.fromEntries(
  RESOURCES.map((resource) => {
    const fields = MEMBER_FIELDS[resource];
    return [
      resource,
      fields &&
        `json_build_object(${Object.entries(fields)
          .map(([key, c]) => `'${key}', ${c.value}`)
          .join(', ')})`,
    ];
  }),
) as Record<Resource, string | null>;

/** Which parts of a record a reader needs: some fields (or all) and whether the referrer rides along. */
export interface RecordNeeds {
  fields: readonly string[] | 'all';
  member: boolean;
}
const EVERYTHING: RecordNeeds = { fields: 'all', member: true };

function selectList(resource: Resource, needs: RecordNeeds): string {
  const columns = RECORD_COLUMNS[resource];
  const keys = needs.fields === 'all' ? Object.keys(columns) : needs.fields.filter((k) => Object.hasOwn(columns, k));
  // `id` always, so a record is never empty and a row can be named in errors.
  const list = [...new Set(['id', ...keys])].map((k) => `${columns[k]!.value} as "${k}"`);
  const member = MEMBER[resource];
  list.push(needs.member && member ? `${member} as member` : 'null::json as member');
  return list.join(', ');
}

function fromList(resource: Resource, needs: RecordNeeds): string {
  return needs.member && MEMBER[resource] ? `${RECORD_TABLE[resource]} r ${MEMBER_JOIN}` : `${RECORD_TABLE[resource]} r`;
}

export type RecordFilter =
  /** Manual export: records created in [from, to), with one of `statuses` when given (non-empty). */
  | { kind: 'time'; from: string; to: string; programIds: string[]; statuses?: readonly string[] }
  /** Scheduled run: records whose creation event lies in the run's event-log range. */
  | { kind: 'range'; fromTxid: string; fromSeq: number; toTxid: string; startFrom: string | null; programIds: string[] };

function query(sql: Sql, resource: Resource, f: RecordFilter, needs: RecordNeeds): PendingQuery<Row[]> {
  const select = selectList(resource, needs);
  const from = fromList(resource, needs);
  const programs = f.programIds.length > 0 ? sql`and r.program_id = any(${f.programIds})` : sql``;
  if (f.kind === 'time') {
    const statuses = f.statuses?.length ? sql`and r.status = any(${f.statuses as string[]})` : sql``;
    return sql`
      select ${sql.unsafe(select)} from ${sql.unsafe(from)}
      where r.created_at >= ${f.from}::timestamptz and r.created_at < ${f.to}::timestamptz ${programs} ${statuses}
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
 * Stopping the iteration (return, or a throw in the loop) closes the cursor, once a batch still
 * being fetched has arrived: a reader must always stop it, or its connection stays in use.
 */
export async function* streamRecords(
  sql: Sql,
  resource: Resource,
  filter: RecordFilter,
  needs: RecordNeeds = EVERYTHING,
  batchSize = 1000,
): AsyncGenerator<Record<string, unknown>[]> {
  for await (const rows of query(sql, resource, filter, needs).cursor(batchSize)) yield rows as Record<string, unknown>[];
}
