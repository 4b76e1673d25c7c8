import type { Readable } from 'node:stream';
import type { Sql } from './db.js';
import type { Resource } from './record-queries.js';

const ts = (col: string) => `to_char(${col} at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')`;

// Plain fields of each resource as SQL text expressions (same values as the public JSON).
const COLUMNS: Record<Resource, Record<string, string>> = {
  referrals: {
    id: 'r.id', programId: 'r.program_id', memberId: 'r.member_id', email: 'r.email', firstName: 'r.first_name',
    lastName: 'r.last_name', phone: 'r.phone', externalId: 'r.external_id', status: 'r.status', source: 'r.source',
    amount: 'trim_scale(r.amount)::text', currency: 'r.currency', orderId: 'r.order_id', fraudFlags: 'r.fraud_flags::text',
    customFields: 'r.custom_fields::text', createdAt: ts('r.created_at'), updatedAt: ts('r.updated_at'),
    'member.id': 'm.id', 'member.email': 'm.email', 'member.firstName': 'm.first_name', 'member.lastName': 'm.last_name',
    'member.referralCode': 'm.referral_code', 'member.externalId': 'm.external_id',
  },
  members: {
    id: 'r.id', programId: 'r.program_id', email: 'r.email', firstName: 'r.first_name', lastName: 'r.last_name',
    externalId: 'r.external_id', referralCode: 'r.referral_code', customFields: 'r.custom_fields::text',
    createdAt: ts('r.created_at'), updatedAt: ts('r.updated_at'),
  },
  rewards: {
    id: 'r.id', programId: 'r.program_id', ruleId: 'r.rule_id', referralId: 'r.referral_id', memberId: 'r.member_id',
    recipient: 'r.recipient', amount: 'trim_scale(r.amount)::text', currency: 'r.currency', kind: 'r.kind', status: 'r.status',
    trigger: 'r.trigger', createdAt: ts('r.created_at'), updatedAt: ts('r.updated_at'),
    'member.id': 'm.id', 'member.email': 'm.email', 'member.referralCode': 'm.referral_code',
  },
};
const TABLE: Record<Resource, string> = { referrals: 'referrals r', members: 'members r', rewards: 'rewards r' };
// Only when a `member.*` field is asked for: member_id is NOT NULL with a foreign key, so the
// join never drops a row, and skipping it spares PostgreSQL a hash join per export.
const MEMBER_JOIN = ' join members m on m.id = r.member_id';

// Columns people type into (names, emails, free text); the others are generated ids, enums,
// numbers, JSON or timestamps and can never start like a formula.
const USER_TEXT = new Set(['email', 'firstName', 'lastName', 'phone', 'externalId', 'orderId', 'source',
  'member.email', 'member.firstName', 'member.lastName', 'member.externalId']);

// Spreadsheet formula guard, as the CSV writer does it: text starting with = + - @ tab or CR
// gets a leading apostrophe, unless it is just a number. ascii() reads the first character's
// code without building a substring, and decides almost every row on its own.
// (= 61, + 43, - 45, @ 64, tab 9, CR 13)
const guard = (expr: string) =>
  `(case when ascii(${expr}) in (61, 43, 45, 64, 9, 13) and (${expr}) !~ '^-?[0-9]+(\\.[0-9]+)?$' then '''' || (${expr}) else (${expr}) end)`;
const literal = (text: string) => `'${text.replace(/'/g, "''")}'`;
const ident = (text: string) => `"${text.replace(/"/g, '""')}"`;

/** Whether every field is a plain column this fast path can export. */
export function copyExportable(resource: Resource, fields: string[]): boolean {
  return fields.every((f) => f in COLUMNS[resource]);
}

/**
 * Manual export through PostgreSQL's own CSV writer (COPY … TO STDOUT): the hub only relays
 * bytes, so time and memory stay close to a bare COPY. COPY takes no bind parameters, so
 * every value inlined here was validated first (ISO dates re-printed, ids restricted).
 */
export async function copyExport(sql: Sql, resource: Resource, opts: { fields: string[]; from: Date; to: Date; programIds: string[]; delimiter: string }): Promise<Readable> {
  if (!opts.programIds.every((id) => /^[A-Za-z0-9_-]{1,64}$/.test(id))) throw new Error('invalid program id');
  const cols = opts.fields.map((f) => {
    const expr = COLUMNS[resource][f]!;
    return `${USER_TEXT.has(f) ? guard(expr) : expr} as ${ident(f)}`;
  }).join(', ');
  const programs = opts.programIds.length > 0 ? `and r.program_id in (${opts.programIds.map(literal).join(', ')})` : '';
  const from = TABLE[resource] + (opts.fields.some((f) => f.startsWith('member.')) ? MEMBER_JOIN : '');
  const query = `copy (select ${cols} from ${from}
    where r.created_at >= ${literal(opts.from.toISOString())}::timestamptz and r.created_at < ${literal(opts.to.toISOString())}::timestamptz ${programs}
    order by r.created_at, r.id) to stdout with (format csv, header, delimiter ${literal(opts.delimiter)})`;
  return sql.unsafe(query).readable();
}
