import type { Client } from '@temporalio/client';
import type { Logger } from '../lib/logger.js';
import type { Sql } from '../schema/db.js';

export interface InboxDispatcherDeps {
  sql: Sql;
  client: Client;
  taskQueue: string;
  logger: Logger;
  /** How long one Temporal call may take before we leave the row for the sweeper. */
  callTimeoutMs?: number;
}

interface InboxRow {
  seq: string;
  workflow_type: string;
  workflow_args: unknown[];
  signal: string;
  signal_args: unknown[];
}

/**
 * Moves committed inbox rows into Temporal with signalWithStart. Rows of one workflow go out in
 * commit order under an advisory lock, and a row is marked only after Temporal accepted it; if
 * Temporal is down the row stays and the sweeper retries it, so accepted facts are never lost.
 * A row may be signalled twice (crash between signal and mark): the workflow's activities are
 * idempotent, so that is harmless.
 */
export function createInboxDispatcher(deps: InboxDispatcherDeps) {
  const timeoutMs = deps.callTimeoutMs ?? 5000;
  let timer: NodeJS.Timeout | undefined;
  let sweeping: Promise<number> | undefined;

  async function dispatchWorkflow(workflowId: string): Promise<boolean> {
    return deps.sql.begin(async (tx) => {
      await tx`select pg_advisory_xact_lock(hashtext(${workflowId}))`;
      const rows = await tx<InboxRow[]>`
        select seq, workflow_type, workflow_args, signal, signal_args from inbox
        where workflow_id = ${workflowId} and dispatched_at is null order by seq`;
      for (const row of rows) {
        try {
          await deps.client.connection.withDeadline(Date.now() + timeoutMs, () =>
            deps.client.workflow.signalWithStart(row.workflow_type, {
              workflowId, taskQueue: deps.taskQueue, args: row.workflow_args,
              signal: row.signal, signalArgs: row.signal_args,
            }));
        } catch (err) {
          const message = err instanceof Error ? err.message : String(err);
          await tx`update inbox set attempts = attempts + 1, last_error = ${message.slice(0, 500)} where seq = ${row.seq}`;
          deps.logger.warn({ workflowId, err: message }, 'inbox dispatch failed; the sweeper will retry');
          return false;
        }
        await tx`update inbox set dispatched_at = now(), attempts = attempts + 1, last_error = null where seq = ${row.seq}`;
      }
      return true;
    });
  }

  /** Dispatches what the request path could not (Temporal down, process crashed after commit). */
  async function sweep(olderThanMs = 1000): Promise<number> {
    const pending = await deps.sql<{ workflow_id: string }[]>`
      select workflow_id from inbox
      where dispatched_at is null and created_at < now() - make_interval(secs => ${olderThanMs / 1000})
      group by workflow_id order by min(seq) limit 200`;
    let done = 0;
    for (const { workflow_id } of pending) {
      if (await dispatchWorkflow(workflow_id)) done++;
      else break; // Temporal is likely down: stop hammering it until the next sweep.
    }
    return done;
  }

  return {
    dispatchWorkflow,
    sweep,
    /** Fire-and-forget after a commit: the answer to the client never waits on Temporal. */
    kick(workflowId: string): void {
      dispatchWorkflow(workflowId).catch((err) => deps.logger.warn({ workflowId, err: String(err) }, 'inbox dispatch error'));
    },
    start(intervalMs: number): void {
      const tick = () => {
        sweeping = sweep().catch((err) => { deps.logger.warn({ err: String(err) }, 'inbox sweep failed'); return 0; });
        void sweeping.finally(() => { if (timer) timer = setTimeout(tick, intervalMs); });
      };
      timer = setTimeout(tick, intervalMs);
    },
    async stop(): Promise<void> {
      clearTimeout(timer);
      timer = undefined;
      await sweeping;
    },
  };
}

export type InboxDispatcher = ReturnType<typeof createInboxDispatcher>;
