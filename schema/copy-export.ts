import type { Readable } from 'node:stream';
import type { Sql } from './db.js';
import { MEMBER_JOIN, RECORD_COLUMNS, RECORD_TABLE } from './record-columns.js';
import { RESOURCES, type Resource } from './record-queries.js';

// Plain fields as COPY writes them, plus the referrer's fields (joined when asked for).
const MEMBER_TEXT: Record<Resource, Record<string, string>> = {
  referrals: {
    'member.id': 'm.id', 'member.email': 'm.email', 'member.firstName': 'm.first_name', 'member.lastName': 'm.last_name',
    'member.referralCode': 'm.referral_code', 'member.externalId': 'm.external_id',
  },
  members: {},
  rewards: { 'member.id': 'm.id', 'member.email': 'm.email', 'member.referralCode': 'm.referral_code' },
};
const COLUMNS = Object.fromEntries(RESOURCES.map((resource) => [resource, {
  ...Object.fromEntries(Object.entries(RECORD_COLUMNS[resource]).map(([key, column]) => [key, column.text])),
  ...MEMBER_TEXT[resource],
}])) as Record<Resource, Record<string, string>>;

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
  return fields.every((f) => Object.hasOwn(COLUMNS[resource], f));
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
  const from = `${RECORD_TABLE[resource]} r` + (opts.fields.some((f) => f.startsWith('member.')) ? ` ${MEMBER_JOIN}` : '');
  const query = `copy (select ${cols} from ${from}
    where r.created_at >= ${literal(opts.from.toISOString())}::timestamptz and r.created_at < ${literal(opts.to.toISOString())}::timestamptz ${programs}
    order by r.created_at, r.id) to stdout with (format csv, header, delimiter ${literal(opts.delimiter)})`;
  return sql.unsafe(query).readable();
}
