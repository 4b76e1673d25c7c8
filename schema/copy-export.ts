import type { Readable } from 'node:stream';
import type { Sql } from './db.js';
import { MEMBER_JOIN, RECORD_COLUMNS, RECORD_TABLE, USER_TEXT } from './record-columns.js';
import { RESOURCES, type Resource } from './record-queries.js';
import { reserveConnection } from './reserve-connection.js';

// Plain fields as COPY writes them, plus the referrer's fields (joined when asked for).
const MEMBER_TEXT: Record<Resource, Record<string, string>> = {
  referrals: {
    'member.id': 'm.id',
    'member.email': 'm.email',
    'member.firstName': 'm.first_name',
    'member.lastName': 'm.last_name',
    'member.referralCode': 'm.referral_code',
    'member.externalId': 'm.external_id',
  },
  members: {},
  rewards: { 'member.id': 'm.id', 'member.email': 'm.email', 'member.referralCode': 'm.referral_code' },
  payouts: {
    'member.id': 'm.id',
    'member.email': 'm.email',
    'member.firstName': 'm.first_name',
    'member.lastName': 'm.last_name',
    'member.referralCode': 'm.referral_code',
    'member.externalId': 'm.external_id',
  },
};
const COLUMNS = Object.fromEntries(
  RESOURCES.map((resource) => [
    resource,
    {
      ...Object.fromEntries(Object.entries(RECORD_COLUMNS[resource]).map(([key, column]) => [key, column.text])),
      ...MEMBER_TEXT[resource],
    },
  ]),
) as Record<Resource, Record<string, string>>;

// Spreadsheet formula guard, as the CSV writer does it: text starting with = + - @ tab or CR
// gets a leading apostrophe, unless it is just a number (the writer's PLAIN_NUMBER, so "+1555…"
// or "-1e3" stay as they are both ways). ascii() reads the first character's code without
// building a substring, and decides almost every row on its own.
// (= 61, + 43, - 45, @ 64, tab 9, CR 13)
const guard = (expr: string) =>
  `(case when ascii(${expr}) in (61, 43, 45, 64, 9, 13) and (${expr}) !~ '^[+-]?([0-9]+(\\.[0-9]*)?|\\.[0-9]+)([eE][+-]?[0-9]+)?$' then '''' || (${expr}) else (${expr}) end)`;
const literal = (text: string) => `'${text.replace(/'/g, "''")}'`;
const ident = (text: string) => `"${text.replace(/"/g, '""')}"`;

/** Whether every field is a plain column this fast path can export. */
export function copyExportable(resource: Resource, fields: string[]): boolean {
  return fields.every((f) => Object.hasOwn(COLUMNS[resource], f));
}

/** A running COPY … TO STDOUT: its bytes, and how to end it when nobody reads them any more. */
export interface CopyOut {
  stream: Readable;
  /**
   * Ends the COPY if it has not finished: cancels it on the server and reads its connection
   * to the end. The driver stops reading the socket while the stream is not consumed, so a
   * COPY whose reader went away (client gone, error mid-stream) would otherwise keep its pooled
   * connection forever, and the pool would go on queueing other queries behind it. Idempotent.
   */
  release(): void;
}

/**
 * Manual export through PostgreSQL's own CSV writer (COPY … TO STDOUT): the hub only relays
 * bytes, so time and memory stay close to a bare COPY. COPY takes no bind parameters, so
 * every value inlined here was validated first (ISO dates re-printed, ids restricted).
 */
export async function copyExport(
  sql: Sql,
  resource: Resource,
  opts: {
    fields: string[];
    from: Date;
    to: Date;
    programIds: string[];
    /** Only records with one of these statuses (none: every status). */
    statuses?: readonly string[];
    delimiter: string;
    reserveTimeoutMs?: number;
  },
): Promise<CopyOut> {
  if (!opts.programIds.every((id) => /^[A-Za-z0-9_-]{1,64}$/.test(id))) throw new Error('invalid program id');
  const statusList = opts.statuses ?? [];
  if (!statusList.every((s) => /^[a-z_]{1,32}$/.test(s))) throw new Error('invalid status');
  const cols = opts.fields
    .map((f) => {
      const expr = COLUMNS[resource][f]!;
      return `${USER_TEXT.has(f) ? guard(expr) : expr} as ${ident(f)}`;
    })
    .join(', ');
  const programs = opts.programIds.length > 0 ? `and r.program_id in (${opts.programIds.map(literal).join(', ')})` : '';
  const statuses = statusList.length > 0 ? `and r.status in (${statusList.map(literal).join(', ')})` : '';
  const from = `${RECORD_TABLE[resource]} r` + (opts.fields.some((f) => f.startsWith('member.')) ? ` ${MEMBER_JOIN}` : '');
  const query = `copy (select ${cols} from ${from}
    where r.created_at >= ${literal(opts.from.toISOString())}::timestamptz and r.created_at < ${literal(opts.to.toISOString())}::timestamptz ${programs} ${statuses}
    order by r.created_at, r.id) to stdout with (format csv, header, delimiter ${literal(opts.delimiter)})`;
  return copyOut(sql, query, opts.reserveTimeoutMs ?? 10_000);
}

/** Runs one COPY … TO STDOUT on a connection of its own (see copyExport for why), and hands back its bytes. */
export async function copyOut(sql: Sql, query: string, reserveTimeoutMs: number): Promise<CopyOut> {
  // A connection of its own: the pool pipelines queries onto connections it thinks busy, and a
  // query queued behind a COPY would fail ("cannot execute queries during copy") or wait for
  // as long as the export's client takes to read it.
  const conn = await reserveConnection(sql, reserveTimeoutMs);
  let stream: Readable;
  const pending = conn.unsafe(query);
  try {
    stream = await pending.readable();
  } catch (err) {
    conn.release();
    throw err;
  }
  // Back to the pool once the COPY is over and a cancel sent for it has landed: a cancel
  // reaching the server later would hit whatever query the connection runs next.
  let cancelling: Promise<unknown> = Promise.resolve();
  let returned = false;
  const giveBack = () => {
    if (returned) return;
    returned = true;
    void cancelling.finally(() => {
      // The driver stops reading its socket when this stream's buffer is full, and reads on
      // when the stream asks for more. When the COPY's last rows fill the buffer in the same
      // socket read that brings its end (or its cancel's error), the stream never asks again,
      // and the connection would go back with a paused socket: the next query on it never gets
      // an answer (porsager/postgres#499; fix proposed in #1016). The stream's read hook is
      // the driver's own "read on" (it throws when the connection is already gone: nothing to read).
      try {
        stream._read(0);
      } catch {
        /* closed connection */
      }
      conn.release();
    });
  };
  stream.once('end', giveBack);
  stream.once('close', giveBack);
  return {
    stream,
    release() {
      // Ended (all read) or destroyed by the driver (the query failed): the connection is back.
      if (stream.readableEnded || stream.destroyed) return;
      // The cancel makes the server end the COPY with an error, which the driver reports here.
      stream.on('error', () => {});
      stream.unpipe();
      cancelling = Promise.resolve(pending.cancel()).catch(() => {});
      // Must not be destroyed: only a flowing stream lets the driver read the socket again,
      // up to the server's answer to the cancel (rows still in flight are dropped).
      // A data listener makes the stream hand rows straight on instead of buffering them (a full
      // buffer would pause the socket again); resume() because unpiping left it paused.
      stream.on('data', () => {});
      stream.resume();
    },
  };
}
