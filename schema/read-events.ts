import type { Sql } from './db.js';

export interface EventCursor {
  /** xid8 of the last transaction read, as text (exceeds 2^53). */
  txid: string;
  seq: number;
}

export interface LoggedEvent {
  seq: number;
  txid: string;
  id: string;
  type: string;
  programId: string | null;
  subjectId: string;
  payload: Record<string, unknown>;
  createdAt: Date;
}

export const START_CURSOR: EventCursor = { txid: '0', seq: 0 };

// Every ORDER BY below names `e.txid`: an unqualified `txid` would mean the `::text` output
// column and sort transaction ids as strings ('999' after '1000'), skipping or repeating rows.

/**
 * Reads the event log after `cursor`, in (txid, seq) order, stopping below the oldest
 * transaction still running. A writer that took its sequence number early but commits late
 * has a txid ≥ that horizon, so it is read on a later call instead of being skipped.
 */
export async function readEventsSince(
  sql: Sql,
  cursor: EventCursor,
  opts: { limit: number; types?: string[]; programIds?: string[] },
): Promise<{ events: LoggedEvent[]; cursor: EventCursor; full: boolean }> {
  const types = opts.types && opts.types.length > 0 ? opts.types : null;
  const programs = opts.programIds && opts.programIds.length > 0 ? opts.programIds : null;
  const rows = await sql<
    {
      seq: string;
      txid: string;
      id: string;
      type: string;
      program_id: string | null;
      subject_id: string;
      payload: Record<string, unknown>;
      created_at: Date | string;
    }[]
  >`
    select e.seq, e.txid::text as txid, e.id, e.type, e.program_id, e.subject_id, e.payload, e.created_at
    from events e
    where (e.txid, e.seq) > (${cursor.txid}::xid8, ${cursor.seq})
      and e.txid < pg_snapshot_xmin(pg_current_snapshot())
    order by e.txid, e.seq
    limit ${opts.limit}`;
  const last = rows.at(-1);
  const next = last ? { txid: last.txid, seq: Number(last.seq) } : cursor;
  // Filter after paging so the cursor still moves past rows this reader does not want.
  const wanted = rows.filter(
    (r) => (!types || types.includes(r.type)) && (!programs || (r.program_id !== null && programs.includes(r.program_id))),
  );
  return {
    cursor: next,
    // The page was full: more rows may be waiting right behind it.
    full: rows.length === opts.limit,
    events: wanted.map((r) => ({
      seq: Number(r.seq),
      txid: r.txid,
      id: r.id,
      type: r.type,
      programId: r.program_id,
      subjectId: r.subject_id,
      payload: r.payload,
      createdAt: new Date(r.created_at),
    })),
  };
}

/** Specific events by id, in log order (replays, previews). */
export async function loadEventsById(sql: Sql, ids: string[]): Promise<LoggedEvent[]> {
  if (ids.length === 0) return [];
  const rows = await sql<
    {
      seq: string;
      txid: string;
      id: string;
      type: string;
      program_id: string | null;
      subject_id: string;
      payload: Record<string, unknown>;
      created_at: Date | string;
    }[]
  >`
    select e.seq, e.txid::text as txid, e.id, e.type, e.program_id, e.subject_id, e.payload, e.created_at
    from events e where e.id = any(${ids}) order by e.txid, e.seq`;
  return rows.map((r) => ({
    seq: Number(r.seq),
    txid: r.txid,
    id: r.id,
    type: r.type,
    programId: r.program_id,
    subjectId: r.subject_id,
    payload: r.payload,
    createdAt: new Date(r.created_at),
  }));
}
