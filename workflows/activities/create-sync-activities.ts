import { heartbeat } from '@temporalio/activity';
import { ConnectorError, type OutboundRecord, type RecordResult } from '../../connectors/connector.js';
import { connectorDefinition } from '../../connectors/registry.js';
import type { MappingEntry } from '../../connectors/mapping/mapping-entry-schema.js';
import type { SecretBox } from '../../connectors/security/secret-box.js';
import { newId } from '../../lib/ids.js';
import type { Logger } from '../../lib/logger.js';
import { appendEvent } from '../../schema/append-event.js';
import type { Db, Sql } from '../../schema/db.js';
import { loadEventsById, readEventsSince, START_CURSOR, type EventCursor, type LoggedEvent } from '../../schema/read-events.js';
import { connectors, type ATTEMPT_TRIGGERS } from '../../schema/tables/index.js';
import { eq, sql as dsql } from 'drizzle-orm';
import { createConnectorRuntime } from './connector-runtime.js';
import { markConnectorFailing } from './mark-connector-failing.js';
import { openConnector, type ConnectorRow } from './open-connector.js';
import { buildOutboundRecords, sendsEventType } from './outbound-records.js';
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

/** One record's line in the ledger after a push: the delivery's new state and the attempt's facts. */
interface LedgerRow {
  eventId: string;
  eventType: string;
  status: 'succeeded' | 'retrying' | 'dead';
  outcome: 'succeeded' | 'failed' | 'dead';
  httpStatus: number | null;
  response: string | null;
  errorKind: string | null;
  errorMessage: string | null;
  trigger: AttemptTrigger;
  recoveryId: string | null;
}

/** When a push started (ISO) and how long the provider took. */
interface PushTiming {
  startedAt: string;
  durationMs: number;
}

/** Who asked for a record to go out: the sync itself, or a retry, replay or recovery. */
interface Request {
  trigger: AttemptTrigger;
  recoveryId: string | null;
}
const SCHEDULED: Request = { trigger: 'scheduled', recoveryId: null };

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

type AttemptTrigger = (typeof ATTEMPT_TRIGGERS)[number];

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

/** The ledger rows of a push that answered: one per record the provider reported on. */
function pushedRows(events: LoggedEvent[], results: RecordResult[], requestOf: (eventId: string) => Request): LedgerRow[] {
  const byKey = new Map(results.map((r) => [r.key, r]));
  const rows: LedgerRow[] = [];
  for (const e of events) {
    const r = byKey.get(e.id);
    if (!r) continue;
    const common = { eventId: e.id, eventType: e.type, ...requestOf(e.id) };
    rows.push(
      r.ok
        ? {
            ...common,
            status: 'succeeded',
            outcome: 'succeeded',
            httpStatus: r.status ?? null,
            response: r.response ?? null,
            errorKind: null,
            errorMessage: null,
          }
        : {
            ...common,
            status: 'dead',
            outcome: 'dead',
            httpStatus: r.error.status ?? null,
            response: r.error.response ?? null,
            errorKind: r.error.kind,
            errorMessage: r.error.message.slice(0, 1000),
          },
    );
  }
  return rows;
}

/** The ledger rows of a push that failed as a whole: every record of it is tried again later. */
function failedRows(events: LoggedEvent[], failure: unknown, requestOf: (eventId: string) => Request): LedgerRow[] {
  const e = asConnectorError(failure);
  return events.map((event) => ({
    eventId: event.id,
    eventType: event.type,
    ...requestOf(event.id),
    status: 'retrying',
    outcome: 'failed',
    httpStatus: e.status ?? null,
    response: e.response ?? null,
    errorKind: e.kind,
    errorMessage: e.message.slice(0, 1000),
  }));
}

const asConnectorError = (failure: unknown) =>
  failure instanceof ConnectorError
    ? failure
    : new ConnectorError('transient', failure instanceof Error ? failure.message : String(failure));

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
   * A push's outcomes in one statement: the delivery row per (connector, event), created by its
   * first attempt and updated by every later one, and an attempt row for each. The connector row
   * is locked once (FOR KEY SHARE, what a foreign key would take per row): a connector deleted
   * meanwhile gets no rows, and its delete waits for this commit, then removes these rows too.
   */
  async function record(connectorId: string, push: PushTiming, rows: LedgerRow[]) {
    if (rows.length === 0) return;
    const col = <K extends keyof LedgerRow>(key: K) => rows.map((r) => r[key]) as string[];
    await deps.sql`
      with connector as (select id from connectors where id = ${connectorId} for key share),
      t as (
        select * from unnest(${rows.map(() => newId('dlv'))}::text[], ${rows.map(() => newId('att'))}::text[], ${col('eventId')}::text[],
          ${col('eventType')}::text[], ${col('status')}::text[], ${col('outcome')}::text[], ${col('httpStatus')}::int[],
          ${col('response')}::text[], ${col('errorKind')}::text[], ${col('errorMessage')}::text[], ${col('trigger')}::text[], ${col('recoveryId')}::text[])
          as t(id, attempt_id, event_id, event_type, status, outcome, http_status, response, error_kind, error_message, trigger, recovery_id)
      ),
      d as (
        insert into deliveries (id, connector_id, event_id, event_type, record_key, status, last_error, response_code, last_attempt_at)
        select t.id, connector.id, t.event_id, t.event_type, t.event_id, t.status,
          case when t.error_kind is null then null else left(t.error_kind || ': ' || t.error_message, 1000) end, t.http_status, ${push.startedAt}::timestamptz
        from connector, t
        -- A push that fails after the same event was already delivered (two passes overlapping
        -- after a restart) must not turn it back into a retry that no pass will run: the receiver
        -- has it, so it stays succeeded, and the failed attempt is still recorded below.
        on conflict (connector_id, event_id) do update set
          status = case when deliveries.status = 'succeeded' then deliveries.status else excluded.status end,
          attempts = deliveries.attempts + 1,
          last_error = excluded.last_error, response_code = excluded.response_code, last_attempt_at = excluded.last_attempt_at,
          next_attempt_at = null, updated_at = now()
        returning id, event_id, attempts
      )
      insert into delivery_attempts (id, delivery_id, connector_id, attempt, started_at, duration_ms, outcome, http_status,
        response_excerpt, error_kind, error_message, trigger, recovery_id)
      select t.attempt_id, d.id, ${connectorId}::text, d.attempts, ${push.startedAt}::timestamptz, ${push.durationMs}::int, t.outcome, t.http_status,
        t.response, t.error_kind, t.error_message, t.trigger, t.recovery_id
      from d join t on t.event_id = d.event_id`;
  }

  /** Which of `events` this connector has already delivered or given up on for good (dead). */
  async function settledEventIds(connectorId: string, events: LoggedEvent[]): Promise<Set<string>> {
    if (events.length === 0) return new Set();
    const rows = await deps.sql<{ event_id: string }[]>`
      select event_id from deliveries where connector_id = ${connectorId} and event_id = any(${events.map((e) => e.id)})
        and status in ('succeeded', 'dead')`;
    return new Set(rows.map((r) => r.event_id));
  }

  async function noteNextAttempt(connectorId: string, at: string) {
    await deps.sql`update deliveries set next_attempt_at = ${at}::timestamptz where connector_id = ${connectorId} and status = 'retrying'`;
  }

  const markFailing = (row: ConnectorRow, message: string) => markConnectorFailing(deps.db, row, message);

  return {
    async syncConnectorBatch(input: { connectorId: string }): Promise<SyncResult> {
      const [row] = await deps.db.select().from(connectors).where(eq(connectors.id, input.connectorId));
      if (!row) return { state: 'gone', delivered: 0 };
      if (!row.enabled) {
        // Nothing is due while it is off: its retrying deliveries wait for it to be enabled again.
        await deps.sql`update deliveries set next_attempt_at = null where connector_id = ${row.id} and status = 'retrying' and next_attempt_at is not null`;
        return { state: 'disabled', delivered: 0 };
      }
      // Inbound connectors receive (POST /webhooks/in/:token): nothing to push, and no registry entry to open.
      // A source: other systems post to it, so there is nothing to push.
      if (connectorDefinition(row.kind)?.inbound) return { state: 'idle', delivered: 0 };
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
      const replayIds = await deps.sql<{ event_id: string; trigger: AttemptTrigger; recovery_id: string | null }[]>`
        select event_id, trigger, recovery_id from connector_replays where connector_id = ${row.id} order by created_at limit ${destination.batchSize * 4}`;
      const replaying = replayIds.length > 0;
      const requests = new Map(replayIds.map((r): [string, Request] => [r.event_id, { trigger: r.trigger, recoveryId: r.recovery_id }]));
      const requestOf = (eventId: string) => requests.get(eventId) ?? SCHEDULED;
      let delivered = 0;
      const window = createOrderedPushWindow<Slice, { results: RecordResult[]; timing: PushTiming }>({
        maxInFlight: Math.max(1, destination.maxInFlight ?? 1),
        minGapMs: destination.requestsPerSecond ? 1000 / destination.requestsPerSecond : 0,
        // A stretch of the log this connector filters out has nothing to send, only a cursor.
        push: async (slice) => {
          const started = Date.now();
          const timing = () => ({ startedAt: new Date(started).toISOString(), durationMs: Date.now() - started });
          if (slice.records.length === 0) return { results: [], timing: timing() };
          try {
            return { results: await destination.push(slice.records), timing: timing() };
          } catch (err) {
            // The failed attempt goes in the ledger too; the failure itself is what the window reports.
            await record(row.id, timing(), failedRows(slice.events, err, requestOf)).catch((dbErr: unknown) =>
              deps.logger.warn({ connectorId: row.id, err: String(dbErr) }, 'could not record a failed attempt'),
            );
            throw err;
          }
        },
        async after(slice, { results, timing }) {
          if (slice.records.length === 0) return;
          await record(row.id, timing, pushedRows(slice.events, results, requestOf));
          if (replaying)
            await deps.sql`delete from connector_replays where connector_id = ${row.id} and event_id = any(${slice.events.map((e) => e.id)})`;
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
          ? {
              events: await loadEventsById(
                deps.sql,
                replayIds.map((r) => r.event_id),
              ),
              cursor: from,
              full: true,
            }
          : await readEventsSince(deps.sql, from, { limit: PAGE_SIZE, types: row.events, programIds: row.programIds });
        const wanted = page.events.filter((e) => sendsEventType(mapping, defaults, e.type));
        // Batches are in flight side by side, so those after a failed one may have been delivered
        // while the cursor stayed before them: a retry sends only what is still owed, and the
        // ledger keeps one attempt per delivery. Replays are asked for, so they always go.
        const done = replaying ? new Set<string>() : await settledEventIds(row.id, wanted);
        const events = wanted.filter((e) => !done.has(e.id));
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
            const slice: Slice = {
              events,
              records: records.slice(i, i + destination.batchSize),
              cursor: last || !tail ? page.cursor : { txid: tail.txid, seq: tail.seq },
            };
            accepted = await window.submit(slice, orderKeys(events));
          }
          if (!accepted || replaying) {
            more = page.full;
            break;
          }
          if (!page.full) break;
          if (!next) {
            more = true;
            break;
          } // out of budget: hand back to the workflow
          await saveProgress(); // close behind the pushes, so a crash repeats little
        }
        ({ failure } = await window.settle());
      } finally {
        clearInterval(beat);
      }
      await saveProgress();

      if (failure !== undefined) {
        // Everything the window committed is delivered and kept; the rest is tried again.
        const e = asConnectorError(failure);
        if (e.kind === 'gone') {
          // The target says it no longer exists (a Zap turned off): unsubscribe rather than retry.
          await deps.db.delete(connectors).where(eq(connectors.id, row.id));
          return { state: 'gone', delivered };
        }
        if (e.kind === 'rate_limited') return { state: 'rate_limited', delivered, retryAfterMs: e.retryAfterMs, message: e.message };
        if (e.kind === 'transient') return { state: 'transient', delivered, message: e.message };
        await markFailing(row, e.message);
        return { state: 'failing', delivered, message: e.message };
      }
      if (row.status !== 'active' || row.consecutiveFailures > 0) {
        await deps.db
          .update(connectors)
          .set({ status: 'active', statusReason: null, consecutiveFailures: 0 })
          .where(eq(connectors.id, row.id));
      }
      return { state: more ? 'more' : 'idle', delivered };
    },

    async noteTransientFailure(input: { connectorId: string; message: string; nextAttemptAt?: string }): Promise<void> {
      await deps.db
        .update(connectors)
        .set({ statusReason: input.message, consecutiveFailures: dsql`${connectors.consecutiveFailures} + 1` })
        .where(eq(connectors.id, input.connectorId));
      if (input.nextAttemptAt) await noteNextAttempt(input.connectorId, input.nextAttemptAt);
    },

    /** The workflow chose when to try again: the deliveries waiting for it show that time. */
    async noteNextAttempt(input: { connectorId: string; nextAttemptAt: string }): Promise<void> {
      await noteNextAttempt(input.connectorId, input.nextAttemptAt);
    },

    /** Sustained failure: stop trying until someone fixes and re-enables the connector. */
    async disableConnector(input: { connectorId: string; reason: string }): Promise<void> {
      await deps.db.transaction(async (tx) => {
        const [row] = await tx
          .update(connectors)
          .set({ enabled: false, status: 'disabled', statusReason: input.reason, updatedAt: new Date() })
          .where(eq(connectors.id, input.connectorId))
          .returning();
        if (row)
          await appendEvent(tx, {
            type: 'connector.disabled',
            programId: null,
            subjectId: row.id,
            payload: { id: row.id, kind: row.kind, name: row.name, reason: input.reason },
          });
        // No attempt is due any more: what was waiting to be retried has failed.
        await tx.execute(dsql`update deliveries set status = 'failed', next_attempt_at = null, updated_at = now()
          where connector_id = ${input.connectorId} and status = 'retrying'`);
      });
    },
  };
}

export type SyncActivities = ReturnType<typeof createSyncActivities>;
