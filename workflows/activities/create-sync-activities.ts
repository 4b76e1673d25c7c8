import { heartbeat } from '@temporalio/activity';
import { ConnectorError, type RecordResult } from '../../connectors/connector.js';
import { INBOUND_KIND } from '../../connectors/inbound/inbound-kind.js';
import type { MappingEntry } from '../../connectors/mapping/mapping-entry-schema.js';
import type { SecretBox } from '../../connectors/security/secret-box.js';
import { newId } from '../../lib/ids.js';
import type { Logger } from '../../lib/logger.js';
import { appendEvent } from '../../schema/append-event.js';
import type { Db, Sql } from '../../schema/db.js';
import { loadEventsById, readEventsSince, type EventCursor, type LoggedEvent } from '../../schema/read-events.js';
import { connectors } from '../../schema/tables/index.js';
import { eq, sql as dsql } from 'drizzle-orm';
import { createConnectorRuntime } from '../connector-runtime.js';
import { openConnector, type ConnectorRow } from '../open-connector.js';
import { buildOutboundRecords } from '../outbound-records.js';

export interface SyncActivityDeps {
  db: Db;
  sql: Sql;
  secretBox: SecretBox;
  publicUrl: string;
  allowPrivateTargets: boolean;
  logger: Logger;
}

export type SyncResult =
  | { state: 'idle' | 'more' | 'gone' | 'disabled'; delivered: number }
  | { state: 'rate_limited'; delivered: number; retryAfterMs?: number; message: string }
  | { state: 'transient' | 'failing'; delivered: number; message: string };

const cursorName = (connectorId: string) => `connector:${connectorId}`;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Activities for connectorSync: push the next slice of the event log to one connector. */
export function createSyncActivities(deps: SyncActivityDeps) {
  const runtime = createConnectorRuntime({ allowPrivateTargets: deps.allowPrivateTargets });

  async function loadCursor(connectorId: string): Promise<EventCursor> {
    const [row] = await deps.sql<{ txid: string; seq: string }[]>`
      select txid::text as txid, seq from dispatch_cursors where name = ${cursorName(connectorId)}`;
    if (row) return { txid: row.txid, seq: Number(row.seq) };
    // No cursor yet (older row): start at what is committed now, i.e. only new events.
    const [start] = await deps.sql<{ txid: string }[]>`
      insert into dispatch_cursors (name, txid, seq) values (${cursorName(connectorId)}, pg_snapshot_xmin(pg_current_snapshot()), 0)
      on conflict (name) do update set name = excluded.name returning txid::text as txid`;
    return { txid: start!.txid, seq: 0 };
  }

  async function saveCursor(connectorId: string, c: EventCursor) {
    await deps.sql`update dispatch_cursors set txid = ${c.txid}::xid8, seq = ${c.seq}, updated_at = now() where name = ${cursorName(connectorId)}`;
  }

  /** The batch's outcomes in one statement (one row per connector and event). */
  async function record(connectorId: string, events: { id: string; type: string }[], results: RecordResult[]) {
    const byKey = new Map(results.map((r) => [r.key, r]));
    const rows = events.flatMap((e) => {
      const r = byKey.get(e.id);
      if (!r) return [];
      return [{
        id: newId('dlv'), eventId: e.id, type: e.type, key: r.key, status: r.ok ? 'succeeded' : 'dead',
        error: r.ok ? null : `${r.error.kind}: ${r.error.message}`.slice(0, 1000),
        code: r.ok ? (r.status ?? null) : (r.error.status ?? null),
      }];
    });
    if (rows.length === 0) return;
    await deps.sql`
      insert into deliveries (id, connector_id, event_id, event_type, record_key, status, last_error, response_code)
      select id, ${connectorId}, event_id, event_type, record_key, status, last_error, response_code
      from unnest(${rows.map((r) => r.id)}::text[], ${rows.map((r) => r.eventId)}::text[], ${rows.map((r) => r.type)}::text[],
        ${rows.map((r) => r.key)}::text[], ${rows.map((r) => r.status)}::text[], ${rows.map((r) => r.error) as string[]}::text[],
        ${rows.map((r) => r.code) as number[]}::int[])
        as t(id, event_id, event_type, record_key, status, last_error, response_code)
      on conflict (connector_id, event_id) do update set status = excluded.status, attempts = deliveries.attempts + 1,
        last_error = excluded.last_error, response_code = excluded.response_code, updated_at = now()`;
  }

  async function markFailing(row: ConnectorRow, message: string) {
    await deps.db.transaction(async (tx) => {
      await tx.update(connectors).set({ status: 'failing', statusReason: message, updatedAt: new Date(), consecutiveFailures: dsql`${connectors.consecutiveFailures} + 1` })
        .where(eq(connectors.id, row.id));
      if (row.status !== 'failing') {
        await appendEvent(tx, { type: 'connector.failing', programId: null, subjectId: row.id, payload: { id: row.id, kind: row.kind, name: row.name, reason: message } });
      }
    });
  }

  return {
    async syncConnectorBatch(input: { connectorId: string }): Promise<SyncResult> {
      const [row] = await deps.db.select().from(connectors).where(eq(connectors.id, input.connectorId));
      if (!row) return { state: 'gone', delivered: 0 };
      if (!row.enabled) return { state: 'disabled', delivered: 0 };
      // Inbound connectors receive (POST /webhooks/in/:token): nothing to push, and no registry entry to open.
      if (row.kind === INBOUND_KIND) return { state: 'idle', delivered: 0 };
      let instance;
      try {
        instance = openConnector(row, deps.secretBox, runtime).instance;
      } catch (err) {
        const message = `configuration is not valid: ${err instanceof Error ? err.message : String(err)}`;
        await markFailing(row, message);
        return { state: 'failing', delivered: 0, message };
      }
      const destination = instance.destination;
      if (!destination) return { state: 'idle', delivered: 0 }; // file destinations run on schedules

      // Requested re-deliveries go first; they do not move the cursor.
      const replayIds = await deps.sql<{ event_id: string }[]>`
        select event_id from connector_replays where connector_id = ${row.id} order by created_at limit ${destination.batchSize * 4}`;
      const replaying = replayIds.length > 0;
      let page: { events: LoggedEvent[]; cursor: EventCursor; full: boolean };
      if (replaying) {
        const events = await loadEventsById(deps.sql, replayIds.map((r) => r.event_id));
        page = { events, cursor: { txid: '0', seq: 0 }, full: true };
      } else {
        // A fixed window, not a multiple of the batch size: filters are applied after reading, so
        // a connector that wants few of the events must still move through the log quickly.
        page = await readEventsSince(deps.sql, await loadCursor(row.id), { limit: 2000, types: row.events, programIds: row.programIds });
      }
      const done = async (events: LoggedEvent[]) => {
        if (replaying) await deps.sql`delete from connector_replays where connector_id = ${row.id} and event_id = any(${events.map((e) => e.id)})`;
      };
      const records = await buildOutboundRecords(deps.db, deps.publicUrl, page.events, row.mapping as MappingEntry[] | null);
      const gap = 1000 / Math.max(0.1, destination.requestsPerSecond);
      let delivered = 0;
      let lastRequest = 0;
      // Slow-paced connectors hand back control now and then, so one call stays well inside
      // the activity's timeout; progress so far is kept.
      const budgetEnds = Date.now() + 60_000;

      for (let i = 0; i < records.length; i += destination.batchSize) {
        const chunk = records.slice(i, i + destination.batchSize);
        const chunkEvents = page.events.slice(i, i + destination.batchSize);
        const wait = lastRequest + gap - Date.now();
        if (wait > 0) await sleep(wait); // stay under the provider's rate limit
        heartbeat({ chunk: i });
        lastRequest = Date.now();
        try {
          const results = await destination.push(chunk);
          await record(row.id, chunkEvents, results);
          await done(chunkEvents);
          delivered += chunk.length;
          const last = chunkEvents.at(-1);
          if (Date.now() > budgetEnds && last && i + destination.batchSize < records.length) {
            if (!replaying) await saveCursor(row.id, { txid: last.txid, seq: last.seq });
            return { state: 'more', delivered };
          }
        } catch (err) {
          // Everything before this chunk is delivered: keep that progress.
          const last = page.events[i - 1];
          if (last && !replaying) await saveCursor(row.id, { txid: last.txid, seq: last.seq });
          const e = err instanceof ConnectorError ? err : new ConnectorError('transient', err instanceof Error ? err.message : String(err));
          if (row.kind === 'zapier' && e.status === 410) {
            // Zapier says the Zap is gone: unsubscribe (REST hooks contract).
            await deps.db.delete(connectors).where(eq(connectors.id, row.id));
            return { state: 'gone', delivered };
          }
          if (e.kind === 'rate_limited') return { state: 'rate_limited', delivered, retryAfterMs: e.retryAfterMs, message: e.message };
          if (e.kind === 'transient') return { state: 'transient', delivered, message: e.message };
          await markFailing(row, e.message);
          return { state: 'failing', delivered, message: e.message };
        }
      }
      if (!replaying) await saveCursor(row.id, page.cursor);
      if (row.status !== 'active' || row.consecutiveFailures > 0) {
        await deps.db.update(connectors).set({ status: 'active', statusReason: null, consecutiveFailures: 0 }).where(eq(connectors.id, row.id));
      }
      return { state: page.full ? 'more' : 'idle', delivered };
    },

    async noteTransientFailure(input: { connectorId: string; message: string }): Promise<void> {
      await deps.db.update(connectors).set({ statusReason: input.message, consecutiveFailures: dsql`${connectors.consecutiveFailures} + 1` })
        .where(eq(connectors.id, input.connectorId));
    },

    /** Sustained failure: stop trying until someone fixes and re-enables the connector. */
    async disableConnector(input: { connectorId: string; reason: string }): Promise<void> {
      await deps.db.transaction(async (tx) => {
        const [row] = await tx.update(connectors).set({ enabled: false, status: 'disabled', statusReason: input.reason, updatedAt: new Date() })
          .where(eq(connectors.id, input.connectorId)).returning();
        if (row) await appendEvent(tx, { type: 'connector.disabled', programId: null, subjectId: row.id, payload: { id: row.id, kind: row.kind, name: row.name, reason: input.reason } });
      });
    },
  };
}

export type SyncActivities = ReturnType<typeof createSyncActivities>;
