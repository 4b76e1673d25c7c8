import type { Client } from '@temporalio/client';
import type { Logger } from '../../lib/logger.js';
import { within } from '../../lib/within.js';
import type { Sql } from '../../schema/db.js';
import type { referralLifecycle } from '../sandboxed/referral-lifecycle.js';
import { REFERRAL_WORKFLOW_TYPE, referralEventSignal, referralWorkflowId, type ReferralSignal } from '../sandboxed/referral-signal.js';
import { PAYOUT_EVENT_TYPES, payoutWakeForEvent } from './payout-wake-for-event.js';
import { wakePayoutWorkflow } from './wake-payout-workflow.js';
import { LIFECYCLE_EVENT_TYPES, referralSignalForEvent } from './referral-signal-for-event.js';

// Everything the dispatcher hands to a workflow: referral lifecycles and payouts.
const DISPATCHED_EVENT_TYPES = [...LIFECYCLE_EVENT_TYPES, ...PAYOUT_EVENT_TYPES];

export interface LifecycleDispatcherDeps {
  /**
   * Opens the leader's own connection (see createSession; a statement deadline is expected).
   * The leader never runs on the pool: a pool busy with requests, or stuck, must not hold up
   * dispatching while the leader lock keeps every other replica out.
   */
  openSession: () => Sql;
  client: Client;
  taskQueue: string;
  logger: Logger;
  /** How long one Temporal call may take before the pass gives up and retries later. */
  callTimeoutMs?: number;
  /** Workflows signalled at once (events of one workflow always go one after another). */
  concurrency?: number;
  batchSize?: number;
  /** Told the event types of each batch read (connector syncs wake on them). */
  afterBatch?: (types: Set<string>) => Promise<void>;
  /**
   * A pass without progress for this long is abandoned by the watchdog (its session is closed,
   * which releases the leader lock) and a fresh one starts; the dispatcher also reports itself
   * stalled (see health) while it makes no progress for this long.
   */
  stallAfterMs?: number;
  /**
   * HUB_DISPATCH=off: facts are accepted and stay in the event log, but this process hands none
   * to Temporal (no nudges, no periodic pass) until it runs with dispatch on again.
   */
  paused?: boolean;
}

/** What /readyz and /metrics say about this process's dispatcher. */
export interface DispatcherHealth {
  /** No progress (cursor moved, or nothing left to send) for longer than the stall bound. */
  stalled: boolean;
  /** Seconds since the last progress. */
  sinceProgressSeconds: number;
  /** Why the last pass or signal failed, if it did since the last progress. */
  lastError: string | null;
  /** Dispatch turned off in this process (HUB_DISPATCH=off): the backlog is left on purpose. */
  paused: boolean;
}

interface Row {
  txid: string;
  seq: string;
  id: string;
  type: string;
  subject_id: string;
  payload_id: string | null;
  status: string | null;
}

const CURSOR = 'referral-lifecycle';
// One dispatcher at a time across all hub replicas, so per-workflow order needs no row locks.
const LEADER_LOCK = 7260210002;
// A signal Temporal keeps refusing for one event must not hold up every referral behind it.
const MAX_ATTEMPTS_PER_EVENT = 20;

/**
 * The event log is the transactional outbox: a request commits its fact and event
 * row, answers, and nudges this loop. The loop reads the log below the xid watermark from a
 * persisted cursor, hands referral events to Temporal with signalWithStart (in order per
 * workflow, concurrently across workflows) and advances the cursor only past what Temporal
 * accepted. If Temporal is down the cursor stays and the next pass retries, so nothing accepted
 * is lost. A signal may be sent twice (crash before the cursor moved): the workflow's
 * activities are idempotent, so that is harmless.
 */
export function createLifecycleDispatcher(deps: LifecycleDispatcherDeps) {
  const timeoutMs = deps.callTimeoutMs ?? 5000;
  const concurrency = deps.concurrency ?? 16;
  const batchSize = deps.batchSize ?? 500;
  const stallAfterMs = deps.stallAfterMs ?? 60_000;
  // How often a batch in progress moves the cursor over what it has handled so far: well inside
  // the stall bound, so a pass that is getting through its batch never looks stalled.
  const saveCursorEveryMs = Math.min(1000, stallAfterMs / 4);
  const attempts = new Map<string, number>();
  let timer: NodeJS.Timeout | undefined;
  let watchdog: NodeJS.Timeout | undefined;
  let running: Promise<number> | undefined;
  let again = false;
  let stopped = false;
  // After a failed pass, nudges wait for the periodic pass instead of retrying on every request.
  let quietUntil = 0;
  let session: { sql: Sql; pid: number } | undefined;
  // Backends of sessions this process gave up on: until the server has ended one, it may still
  // hold the lock, and that is this dispatcher's stall, not another replica's leadership.
  const abandonedPids: number[] = [];
  // Bumped when the watchdog gives up on a pass: the abandoned pass stops at its next step.
  let generation = 0;
  // A pass's last sign of life (start, or a batch done), for the watchdog.
  let beatAt = Date.now();
  let progressAt = Date.now();
  let lastError: string | null = null;

  const progressed = () => {
    progressAt = Date.now();
    lastError = null;
  };
  const failed = (message: string) => {
    lastError = message;
  };

  /** Closes the leader's session: the server ends it, releasing the lock and any query on it. */
  function dropSession(): void {
    const old = session;
    session = undefined;
    if (!old) return;
    abandonedPids.push(old.pid);
    abandonedPids.splice(0, abandonedPids.length - 8);
    old.sql.end({ timeout: 0 }).catch(() => {});
  }

  async function openSession(): Promise<{ sql: Sql; pid: number }> {
    const sql = deps.openSession();
    try {
      const [row] = await sql<{ pid: number }[]>`select pg_backend_pid() as pid`;
      return { sql, pid: row!.pid };
    } catch (err) {
      sql.end({ timeout: 0 }).catch(() => {});
      throw err;
    }
  }

  /** Whether the leader lock is held by a session this process abandoned (not another replica). */
  async function heldByAbandoned(conn: Sql): Promise<boolean> {
    if (abandonedPids.length === 0) return false;
    const holders = await conn<{ pid: number }[]>`
      select pid from pg_locks
      where locktype = 'advisory' and granted and objsubid = 1
        and classid = (${LEADER_LOCK}::bigint >> 32)::oid and objid = (${LEADER_LOCK}::bigint & 4294967295)::oid`;
    return holders.some((h) => abandonedPids.includes(h.pid));
  }

  async function signal(row: Row): Promise<void> {
    const event = { type: row.type, subjectId: row.subject_id, payloadId: row.payload_id, status: row.status };
    const wake = payoutWakeForEvent(event);
    if (wake) {
      await wakePayoutWorkflow(deps.client, deps.taskQueue, wake.payoutId, wake.reason, timeoutMs);
      return;
    }
    const target = referralSignalForEvent(event);
    if (!target) return;
    await deps.client.connection.withDeadline(Date.now() + timeoutMs, () =>
      deps.client.workflow.signalWithStart<typeof referralLifecycle, [ReferralSignal]>(REFERRAL_WORKFLOW_TYPE, {
        workflowId: referralWorkflowId(target.referralId),
        taskQueue: deps.taskQueue,
        args: [{ referralId: target.referralId }],
        signal: referralEventSignal,
        signalArgs: [target.signal],
      }),
    );
  }

  /** One batch from the cursor; returns whether to go on. */
  async function dispatchBatch(conn: Sql, gen: number): Promise<{ sent: number; more: boolean }> {
    const rows = await conn<Row[]>`
      select e.txid::text as txid, e.seq, e.id, e.type, e.subject_id, e.payload->>'id' as payload_id, e.payload->>'status' as status
      from events e, dispatch_cursors c
      where c.name = ${CURSOR} and (e.txid, e.seq) > (c.txid, c.seq)
        and e.txid < pg_snapshot_xmin(pg_current_snapshot())
      order by e.txid, e.seq limit ${batchSize}`;
    if (rows.length === 0) {
      progressed();
      return { sent: 0, more: false };
    }

    // Rows that need nothing more: signalled, not a lifecycle event, or given up on.
    const done = new Set<string>();
    const byWorkflow = new Map<string, Row[]>();
    for (const row of rows) {
      if (DISPATCHED_EVENT_TYPES.includes(row.type)) byWorkflow.set(row.subject_id, [...(byWorkflow.get(row.subject_id) ?? []), row]);
      else done.add(row.seq);
    }
    const queue = [...byWorkflow.values()];
    let sent = 0;
    let failures = 0;
    // The cursor moves over the longest prefix that is fully handled; rows after a gap are
    // signalled again next time (harmless: the workflow's activities are idempotent). It moves
    // while the batch runs, not only at its end: a batch of signals to a loaded Temporal can take
    // longer than the watchdog's bound, and a pass that only showed progress once the whole
    // batch was through would look stalled (and be cut off, to start the same batch again).
    let handled = 0;
    let saved = 0;
    let saving: Promise<void> = Promise.resolve();
    let savedAt = Date.now();
    const saveCursor = (): Promise<void> => {
      savedAt = Date.now();
      saving = saving.then(async () => {
        while (handled < rows.length && done.has(rows[handled]!.seq)) handled++;
        if (handled === saved || gen !== generation) return;
        const last = rows[handled - 1]!;
        await conn`update dispatch_cursors set txid = ${last.txid}::xid8, seq = ${last.seq}, updated_at = now() where name = ${CURSOR}`;
        saved = handled;
        beatAt = Date.now();
        progressed();
      });
      // A failed save fails the batch when it awaits the last one (below), not as an unhandled rejection.
      saving.catch(() => {});
      return saving;
    };
    await Promise.all(
      Array.from({ length: Math.min(concurrency, queue.length) }, async () => {
        for (let ofWorkflow = queue.shift(); ofWorkflow; ofWorkflow = queue.shift()) {
          if (failures >= 3 || gen !== generation) return; // Temporal is likely down (or the pass was abandoned): stop until the next pass.
          for (const row of ofWorkflow) {
            try {
              await signal(row);
              done.add(row.seq);
              attempts.delete(row.id);
              sent++;
              if (Date.now() - savedAt >= saveCursorEveryMs) void saveCursor();
            } catch (err) {
              const tries = (attempts.get(row.id) ?? 0) + 1;
              attempts.set(row.id, tries);
              const message = err instanceof Error ? err.message : String(err);
              if (tries >= MAX_ATTEMPTS_PER_EVENT) {
                deps.logger.error({ eventId: row.id, subjectId: row.subject_id, err: message }, 'giving up signalling this event');
                attempts.delete(row.id);
                done.add(row.seq);
                continue;
              }
              failures++;
              failed(`signalling Temporal failed: ${message}`);
              deps.logger.warn({ eventId: row.id, err: message }, 'signalling Temporal failed; will retry');
              break; // later events of this workflow must not overtake this one
            }
          }
        }
      }),
    );
    if (gen !== generation) return { sent, more: false };
    await saveCursor();
    if (handled < rows.length) quietUntil = Date.now() + 1000;
    if (deps.afterBatch) {
      await within(timeoutMs, deps.afterBatch(new Set(rows.map((r) => r.type))), 'waking connector syncs').catch((err) =>
        deps.logger.warn({ err: String(err) }, 'after-batch hook failed'),
      );
    }
    return { sent, more: handled === rows.length && rows.length === batchSize };
  }

  async function passAsLeader(gen: number): Promise<number> {
    beatAt = Date.now();
    try {
      session ??= await openSession();
      const conn = session.sql;
      const [lock] = await conn<{ got: boolean }[]>`select pg_try_advisory_lock(${LEADER_LOCK}) as got`;
      if (!lock?.got) {
        // Another replica is dispatching (the backlog's age says how well), or the session this
        // process abandoned has not ended yet, which is no progress.
        if (!(await heldByAbandoned(conn))) progressed();
        return 0;
      }
      try {
        await conn`insert into dispatch_cursors (name, txid, seq) values (${CURSOR}, '0'::xid8, 0) on conflict do nothing`;
        let total = 0;
        for (;;) {
          again = false;
          const batch = await dispatchBatch(conn, gen);
          beatAt = Date.now();
          total += batch.sent;
          if (stopped || gen !== generation || (!batch.more && !again)) return total;
        }
      } finally {
        if (gen === generation) await conn`select pg_advisory_unlock(${LEADER_LOCK})`;
      }
    } catch (err) {
      failed(`dispatch pass failed: ${err instanceof Error ? err.message : String(err)}`);
      // A session that failed mid-pass may still hold the lock (or a broken socket): start afresh.
      if (gen === generation) dropSession();
      throw err;
    }
  }

  /** Dispatches everything committed so far; concurrent calls share one run (plus one more pass). */
  function pump(): Promise<number> {
    if (deps.paused) return Promise.resolve(0);
    if (running) {
      again = true;
      return running;
    }
    const pass = passAsLeader(generation).finally(() => {
      if (running === pass) running = undefined;
    });
    running = pass;
    return pass;
  }

  /**
   * A pass stuck past the bound (a wait that never ends, wherever it is) is given up: its
   * session is closed so the lock is released at once, and the next tick starts a fresh pass.
   */
  function checkLiveness(): void {
    if (!running || Date.now() - beatAt <= stallAfterMs) return;
    deps.logger.error(
      { stalledForMs: Date.now() - beatAt },
      'lifecycle dispatch pass made no progress; releasing the leader lock and starting over',
    );
    failed(`a dispatch pass made no progress for ${Math.round((Date.now() - beatAt) / 1000)} s and was restarted`);
    generation++;
    running = undefined;
    dropSession();
  }

  return {
    pump,
    /** After a commit: wake the loop. Never awaited by a request. */
    nudge(): void {
      if (Date.now() < quietUntil) return;
      pump().catch((err) => deps.logger.warn({ err: String(err) }, 'dispatch error'));
    },
    /** Periodic pass: catches up after a Temporal outage or a crash between commit and nudge. */
    start(intervalMs: number): void {
      if (deps.paused) return;
      stopped = false;
      progressed();
      let scheduled = false;
      const schedule = () => {
        if (stopped || scheduled) return;
        scheduled = true;
        timer = setTimeout(tick, intervalMs);
      };
      const tick = () => {
        scheduled = false;
        pump()
          .catch((err) => deps.logger.warn({ err: String(err) }, 'dispatch pass failed'))
          .finally(schedule);
      };
      schedule();
      // The tick waits for its pass; the watchdog must not, or a stuck pass would stop it too.
      watchdog = setInterval(
        () => {
          checkLiveness();
          if (!running) schedule();
        },
        Math.max(100, Math.min(stallAfterMs / 4, 5000)),
      );
    },
    health(): DispatcherHealth {
      if (deps.paused) return { stalled: false, sinceProgressSeconds: 0, lastError: null, paused: true };
      const since = Date.now() - progressAt;
      return { stalled: since > stallAfterMs, sinceProgressSeconds: since / 1000, lastError, paused: false };
    },
    async stop(): Promise<void> {
      stopped = true;
      clearTimeout(timer);
      clearInterval(watchdog);
      // Bounded like every other wait: a pass stuck on something is cut off with its session.
      await within(stallAfterMs, running ?? Promise.resolve(0), 'the last dispatch pass').catch(() => 0);
      dropSession();
    },
  };
}

export type LifecycleDispatcher = ReturnType<typeof createLifecycleDispatcher>;

/** Referral and payout events committed but not yet handed to Temporal, and the age of the oldest. */
export async function lifecycleBacklog(sql: Sql): Promise<{ count: number; oldestSeconds: number }> {
  const [row] = await sql<{ count: number; oldest: number | null }[]>`
    select count(*)::int as count, extract(epoch from now() - min(e.created_at))::float8 as oldest
    from events e
    where e.type = any(${DISPATCHED_EVENT_TYPES})
      and (e.txid, e.seq) > coalesce((select (c.txid, c.seq) from dispatch_cursors c where c.name = ${CURSOR}), ('0'::xid8, 0::bigint))`;
  return { count: row?.count ?? 0, oldestSeconds: row?.oldest ?? 0 };
}

/** Rewinds the cursor (ops: re-send every signal from the start; harmless, activities are idempotent). */
export async function rewindLifecycleCursor(sql: Sql): Promise<void> {
  await sql`update dispatch_cursors set txid = '0'::xid8, seq = 0, updated_at = now() where name = ${CURSOR}`;
}
