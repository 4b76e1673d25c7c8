import { heartbeat } from '@temporalio/activity';
import { ConnectorError, type OutboundRecord, type RecordResult } from '../../connectors/connector.js';
import { INBOUND_KIND } from '../../connectors/inbound/inbound-kind.js';
import type { MappingEntry } from '../../connectors/mapping/mapping-entry-schema.js';
import type { SecretBox } from '../../connectors/security/secret-box.js';
import { newId } from '../../lib/ids.js';
import type { Logger } from '../../lib/logger.js';
import { appendEvent } from '../../schema/append-event.js';
import type { Db, Sql } from '../../schema/db.js';
import { loadEventsById, readEventsSince, START_CURSOR, type EventCursor, type LoggedEvent } from '../../schema/read-events.js';
import { connectors } from '../../schema/tables/index.js';
import { eq, sql as dsql } from 'drizzle-orm';
import { createConnectorRuntime } from '../connector-runtime.js';
import { openConnector, type ConnectorRow } from '../open-connector.js';
import { buildOutboundRecords, sendsEventType } from '../outbound-records.js';
import { createOrderedPushWindow } from './ordered-push-window.js';

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

/** A batch on its way: its events, their records, and where the cursor may go once it is delivered. */
interface Slice {
  events: LoggedEvent[];
  records: OutboundRecord[];
  cursor: EventCursor;
}

/** A page of the log and its records (one per event). */
interface Page {
  events: LoggedEvent[];
  records: OutboundRecord[];
  cursor: EventCursor;
  full: boolean;
}

const cursorName = (connectorId: string) => `connector:${connectorId}`;
// Events read per query. Filters apply after reading, so this is not tied to the batch size: a
// connector that wants few of the events must still move through the log quickly.
const PAGE_SIZE = 2000;
// One activity call pushes for at most this long, then hands back to the workflow (which can
// continue-as-new); progress is saved as it goes.
const PASS_BUDGET_MS = 30_000;
const HEARTBEAT_MS = 3_000;

const sameCursor = (a: EventCursor, b: EventCursor) => a.txid === b.txid && a.seq === b.seq;

/**
 * What a batch must not share with another batch in flight: the subject of each event and the
 * member it concerns, so two changes to one person never race each other to the provider.
 */
function orderKeys(events: LoggedEvent[]): string[] {
  const keys = new Set<string>();
  for (const e of events) {
    keys.add(e.subjectId);
    if (typeof e.payload.memberId === 'string') keys.add(e.payload.memberId);
  }
  return [...keys];
}

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

  /**
   * The batch's outcomes in one statement (one row per connector and event). The connector row is
   * locked once (FOR KEY SHARE, what a foreign key would take per row): a connector deleted
   * meanwhile gets no rows, and its delete waits for this commit, then removes these rows too.
   * A result's key is its record's key, the event id, so one array fills both columns.
   */
  async function record(connectorId: string, events: { id: string; type: string }[], results: RecordResult[]) {
    const byKey = new Map(results.map((r) => [r.key, r]));
    const ids: string[] = [];
    const eventIds: string[] = [];
    const types: string[] = [];
    const failures: (string | null)[] = [];
    const codes: (number | null)[] = [];
    for (const e of events) {
      const r = byKey.get(e.id);
      if (!r) continue;
      ids.push(newId('dlv'));
      eventIds.push(e.id);
      types.push(e.type);
      failures.push(r.ok ? null : `${r.error.kind}: ${r.error.message}`.slice(0, 1000));
      codes.push(r.ok ? (r.status ?? null) : (r.error.status ?? null));
    }
    if (ids.length === 0) return;
    await deps.sql`
      with connector as (select id from connectors where id = ${connectorId} for key share)
      insert into deliveries (id, connector_id, event_id, event_type, record_key, status, last_error, response_code)
      select t.id, connector.id, t.event_id, t.event_type, t.event_id,
        case when t.last_error is null then 'succeeded' else 'dead' end, t.last_error, t.response_code
      from connector, unnest(${ids}::text[], ${eventIds}::text[], ${types}::text[], ${failures as string[]}::text[], ${codes as number[]}::int[])
        as t(id, event_id, event_type, last_error, response_code)
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
      let opened;
      try {
        opened = openConnector(row, deps.secretBox, runtime);
      } catch (err) {
        const message = `configuration is not valid: ${err instanceof Error ? err.message : String(err)}`;
        await markFailing(row, message);
        return { state: 'failing', delivered: 0, message };
      }
      const destination = opened.instance.destination;
      if (!destination) return { state: 'idle', delivered: 0 }; // file destinations run on schedules
      const mapping = row.mapping as MappingEntry[] | null;
      // Created without a mapping: the kind's default, which sends only the event types it maps.
      const defaults = mapping ? undefined : opened.defaultMapping;

      // Requested re-deliveries go first; they do not move the cursor.
      const replayIds = await deps.sql<{ event_id: string }[]>`
        select event_id from connector_replays where connector_id = ${row.id} order by created_at limit ${destination.batchSize * 4}`;
      const replaying = replayIds.length > 0;
      let delivered = 0;
      const window = createOrderedPushWindow<Slice, RecordResult[]>({
        maxInFlight: Math.max(1, destination.maxInFlight ?? 1),
        minGapMs: destination.requestsPerSecond ? 1000 / destination.requestsPerSecond : 0,
        // A stretch of the log this connector filters out has nothing to send, only a cursor.
        push: async (slice) => (slice.records.length > 0 ? destination.push(slice.records) : []),
        async after(slice, results) {
          if (slice.records.length === 0) return;
          await record(row.id, slice.events, results);
          if (replaying) await deps.sql`delete from connector_replays where connector_id = ${row.id} and event_id = any(${slice.events.map((e) => e.id)})`;
          delivered += slice.records.length;
        },
      });
      const cursor = replaying ? START_CURSOR : await loadCursor(row.id);
      let saved = cursor;
      // Moves the stored cursor up to what the window has committed. Only this activity's own
      // loop calls it, one call at a time, so saves never overtake each other.
      const saveProgress = async () => {
        const done = window.committed?.cursor;
        if (replaying || !done || sameCursor(done, saved)) return;
        await saveCursor(row.id, done);
        saved = done;
      };
      let more = false;
      let failure: unknown;
      const budgetEnds = Date.now() + PASS_BUDGET_MS;
      // The next page is read while the current one is being pushed, so the provider never waits on us.
      const readPage = async (from: EventCursor): Promise<Page> => {
        const page = replaying
          ? { events: await loadEventsById(deps.sql, replayIds.map((r) => r.event_id)), cursor: from, full: true }
          : await readEventsSince(deps.sql, from, { limit: PAGE_SIZE, types: row.events, programIds: row.programIds });
        const events = page.events.filter((e) => sendsEventType(mapping, defaults, e.type));
        if (replaying && events.length < page.events.length) {
          // Nothing to send for these: off the queue, or they would be read again forever.
          const skipped = page.events.filter((e) => !events.includes(e)).map((e) => e.id);
          await deps.sql`delete from connector_replays where connector_id = ${row.id} and event_id = any(${skipped})`;
        }
        return { ...page, events, records: await buildOutboundRecords(deps.db, deps.publicUrl, events, mapping, defaults) };
      };
      let next: Promise<Page> | undefined = readPage(cursor);
      // Heartbeats on a timer, not per batch: one slow provider call must not look like a dead worker.
      const beat = setInterval(() => heartbeat({ delivered }), HEARTBEAT_MS);
      try {
        while (next) {
          const page: Page = await next;
          const { records } = page;
          next = page.full && !replaying && Date.now() < budgetEnds ? readPage(page.cursor) : undefined;
          next?.catch(() => undefined); // awaited (and its error handled) on the next turn, or dropped
          let accepted = true;
          for (let i = 0; accepted && (i < records.length || i === 0); i += destination.batchSize) {
            const events = page.events.slice(i, i + destination.batchSize);
            const last = i + destination.batchSize >= records.length;
            const tail = events.at(-1);
            const slice: Slice = { events, records: records.slice(i, i + destination.batchSize), cursor: last || !tail ? page.cursor : { txid: tail.txid, seq: tail.seq } };
            accepted = await window.submit(slice, orderKeys(events));
          }
          if (!accepted || replaying) { more = page.full; break; }
          if (!page.full) break;
          if (!next) { more = true; break; } // out of budget: hand back to the workflow
          await saveProgress(); // close behind the pushes, so a crash repeats little
        }
        ({ failure } = await window.settle());
      } finally {
        clearInterval(beat);
      }
      await saveProgress();

      if (failure !== undefined) {
        // Everything the window committed is delivered and kept; the rest is tried again.
        const e = failure instanceof ConnectorError ? failure : new ConnectorError('transient', failure instanceof Error ? failure.message : String(failure));
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
      if (row.status !== 'active' || row.consecutiveFailures > 0) {
        await deps.db.update(connectors).set({ status: 'active', statusReason: null, consecutiveFailures: 0 }).where(eq(connectors.id, row.id));
      }
      return { state: more ? 'more' : 'idle', delivered };
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
