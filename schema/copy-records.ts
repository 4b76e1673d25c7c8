import { copyOut, type CopyOut } from './copy-export.js';
import type { Sql } from './db.js';
import { MEMBER_JOIN, RECORD_TABLE } from './record-columns.js';
import { CREATED_EVENT, type RecordFilter, type Resource } from './record-queries.js';

const literal = (text: string) => `'${text.replace(/'/g, "''")}'`;
const instant = (text: string) => `${literal(new Date(text).toISOString())}::timestamptz`;

/**
 * The rows of streamRecords (same filter, same order) written by PostgreSQL as CSV, one cell per
 * SQL expression in `cells` (a field mapping compiled to SQL), without a header: the caller
 * writes the header as the CSV writer does. COPY takes no bind parameters, so every value
 * inlined here is checked or re-printed first (ids restricted, instants re-printed, txids digits).
 */
export function copyRecords(
  sql: Sql,
  resource: Resource,
  opts: { filter: RecordFilter; cells: readonly string[]; member: boolean; delimiter: string; reserveTimeoutMs?: number },
): Promise<CopyOut> {
  const f = opts.filter;
  if (!f.programIds.every((id) => /^[A-Za-z0-9_-]{1,64}$/.test(id))) throw new Error('invalid program id');
  if (![',', ';', '\t', '|'].includes(opts.delimiter)) throw new Error('invalid delimiter');
  const programs = f.programIds.length > 0 ? `and r.program_id in (${f.programIds.map(literal).join(', ')})` : '';
  const select = opts.cells.map((cell, i) => `nullif(${cell}, '') as c${i}`).join(', ');
  const from = `${RECORD_TABLE[resource]} r` + (opts.member ? ` ${MEMBER_JOIN}` : '');
  let query: string;
  if (f.kind === 'time') {
    const statuses = f.statuses ?? [];
    if (!statuses.every((s) => /^[a-z_]{1,32}$/.test(s))) throw new Error('invalid status');
    const statusSql = statuses.length > 0 ? `and r.status in (${statuses.map(literal).join(', ')})` : '';
    query = `select ${select} from ${from}
      where r.created_at >= ${instant(f.from)} and r.created_at < ${instant(f.to)} ${programs} ${statusSql}
      order by r.created_at, r.id`;
  } else {
    if (!/^\d{1,20}$/.test(f.fromTxid) || !/^\d{1,20}$/.test(f.toTxid) || !Number.isSafeInteger(f.fromSeq))
      throw new Error('invalid run range');
    const since = f.startFrom ? `and e.created_at >= ${instant(f.startFrom)}` : '';
    query = `select ${select} from events e join ${from} on r.id = e.subject_id
      where e.type = ${literal(CREATED_EVENT[resource])}
        and (e.txid, e.seq) > (${literal(f.fromTxid)}::xid8, ${f.fromSeq}) and e.txid < ${literal(f.toTxid)}::xid8 ${since} ${programs}
      order by e.txid, e.seq`;
  }
  return copyOut(sql, `copy (${query}) to stdout with (format csv, delimiter ${literal(opts.delimiter)})`, opts.reserveTimeoutMs ?? 10_000);
}
