import type { Client } from '@temporalio/client';
import { and, eq, gt, lt, ne } from 'drizzle-orm';
import type { Logger } from '../../lib/logger.js';
import { within } from '../../lib/within.js';
import type { Db } from '../../schema/db.js';
import { connectors, payouts } from '../../schema/tables/index.js';
import { paysFor } from '../activities/find-payout-connector.js';
import { payoutWorkflowId, type PayoutWakeReason } from '../sandboxed/payout-signal.js';
import { wakePayoutWorkflow } from './wake-payout-workflow.js';

export interface PayoutWakerDeps {
  db: Db;
  client: Client;
  /** The lifecycle task queue; payouts run on its sync queue. */
  taskQueue: string;
  logger: Logger;
}

const QUERY_DEADLINE_MS = 5000;
const CALL_DEADLINE_MS = 5000;
const BATCH = 500;
// A send is retried by its workflow for about a day; one quiet this long may have lost its workflow.
const ORPHAN_AFTER_MS = 5 * 60_000;

/**
 * Wakes payouts waiting for a provider once a connector can pay them. Their workflows wait on a
 * signal only (no timers, no polling), so this is what moves them: at once when a connector is
 * created, enabled or changed, and on a slow periodic sweep that catches a wake-up lost while
 * Temporal was unreachable. Only payouts a connector now pays are signalled.
 */
export function createPayoutWaker(deps: PayoutWakerDeps) {
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<number> | undefined;

  const signal = (payoutId: string, reason: PayoutWakeReason) =>
    wakePayoutWorkflow(deps.client, deps.taskQueue, payoutId, reason, CALL_DEADLINE_MS);

  async function wakePayable(): Promise<number> {
    const payers = await within(
      QUERY_DEADLINE_MS,
      deps.db
        .select()
        .from(connectors)
        .where(and(eq(connectors.enabled, true), ne(connectors.status, 'disabled'))),
      'listing payout connectors',
    );
    // Page through every waiting payout: a backlog no connector pays (a kind nobody pays, a
    // connector switched off) must not hide the payouts behind it.
    let woken = 0;
    let after = '';
    for (;;) {
      const waiting = await within(
        QUERY_DEADLINE_MS,
        deps.db
          .select()
          .from(payouts)
          .where(and(eq(payouts.status, 'waiting_provider'), gt(payouts.id, after)))
          .orderBy(payouts.id)
          .limit(BATCH),
        'listing payouts waiting for a provider',
      );
      const due = waiting.filter((p) => {
        const need = { programId: p.programId, rewardKind: p.rewardKind, currency: p.currency };
        return payers.some((c) => (p.connectorId ? c.id === p.connectorId : true) && paysFor(c, need));
      });
      for (const p of due) await signal(p.id, 'provider_available');
      woken += due.length;
      if (waiting.length < BATCH) return woken;
      after = waiting[waiting.length - 1]!.id;
    }
  }

  /**
   * The safety net for a payout left `sending` with no workflow behind it (a start lost while
   * Temporal was unreachable): one quiet for a while whose workflow is not running is started again.
   * Running ones are left alone, so a send in its retry backoff is not flooded with signals.
   */
  async function restartOrphans(): Promise<number> {
    const quiet = await within(
      QUERY_DEADLINE_MS,
      deps.db
        .select({ id: payouts.id })
        .from(payouts)
        .where(and(eq(payouts.status, 'sending'), lt(payouts.updatedAt, new Date(Date.now() - ORPHAN_AFTER_MS))))
        .orderBy(payouts.id)
        .limit(BATCH),
      'listing quiet sending payouts',
    );
    let restarted = 0;
    for (const { id } of quiet) {
      const status = await deps.client.connection
        .withDeadline(Date.now() + CALL_DEADLINE_MS, () => deps.client.workflow.getHandle(payoutWorkflowId(id)).describe())
        .then((d) => d.status.name)
        .catch((err: unknown) => ((err as { name?: string }).name === 'WorkflowNotFoundError' ? 'NOT_FOUND' : 'UNKNOWN'));
      if (status === 'RUNNING' || status === 'UNKNOWN') continue;
      await signal(id, 'updated');
      restarted++;
    }
    return restarted;
  }

  // A wake asked for while one runs cannot join it: that one may have listed connectors before
  // the change that asked. So it runs once more when it ends (however many asked meanwhile).
  let again = false;
  async function wakeUntilCurrent(): Promise<number> {
    let woken = 0;
    do {
      again = false;
      woken += await wakePayable();
    } while (again);
    return woken;
  }

  function wake(): Promise<number> {
    if (running) {
      again = true;
      return running;
    }
    running = wakeUntilCurrent().finally(() => {
      running = undefined;
    });
    return running;
  }

  return {
    wake,
    /** A connector was created or changed (never awaited by a request; errors are logged). */
    connectorsChanged(): void {
      wake().catch((err) => deps.logger.warn({ err: String(err) }, 'could not wake payouts waiting for a provider'));
    },
    restartOrphans,
    start(intervalMs: number): void {
      timer = setInterval(() => {
        this.connectorsChanged();
        restartOrphans().catch((err) => deps.logger.warn({ err: String(err) }, 'could not check sending payouts'));
      }, intervalMs);
      timer.unref();
    },
    stop(): void {
      clearInterval(timer);
    },
  };
}

export type PayoutWaker = ReturnType<typeof createPayoutWaker>;
