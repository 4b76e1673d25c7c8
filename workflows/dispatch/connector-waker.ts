import type { Client } from '@temporalio/client';
import { connectorDefinition } from '../../connectors/registry.js';
import { eq } from 'drizzle-orm';
import type { Logger } from '../../lib/logger.js';
import { within } from '../../lib/within.js';
import type { Db } from '../../schema/db.js';
import { connectors } from '../../schema/tables/index.js';
import type { connectorSync } from '../sandboxed/connector-sync.js';
import { syncTaskQueue } from '../sandboxed/sync-task-queue.js';
import {
  CONNECTOR_SYNC_WORKFLOW_TYPE,
  connectorSyncWorkflowId,
  connectorWakeSignal,
  type ConnectorSyncInput,
  type WakeReason,
} from '../sandboxed/connector-sync-signal.js';

export interface ConnectorWakerDeps {
  db: Db;
  client: Client;
  /** The lifecycle task queue; syncs run on its sync queue (see syncTaskQueue). */
  taskQueue: string;
  logger: Logger;
  backoffMs: number[];
  disableAfter: number;
}

// The enabled-connector list is re-read at most this often on the hot path.
const LIST_TTL_MS = 2000;
const LIST_DEADLINE_MS = 5000;
/** Kinds that do not consume the event log: files go out on schedules, inbound only receives, payouts pay. */
function consumesEvents(kind: string): boolean {
  const definition = connectorDefinition(kind);
  return !!definition && !definition.scheduledFiles && !definition.inbound && !definition.pays;
}

/**
 * Starts or wakes connectorSync workflows (signalWithStart, so a missing workflow is created):
 * after the dispatcher saw new events, and when a connector is created or changed.
 */
export function createConnectorWaker(deps: ConnectorWakerDeps) {
  let cached: { at: number; list: { id: string; events: string[] }[] } | undefined;

  async function wake(connectorId: string, reason: WakeReason = 'config'): Promise<void> {
    const input: ConnectorSyncInput = { connectorId, backoffMs: deps.backoffMs, disableAfter: deps.disableAfter };
    await deps.client.connection.withDeadline(Date.now() + 5000, () =>
      deps.client.workflow.signalWithStart<typeof connectorSync, [WakeReason?]>(CONNECTOR_SYNC_WORKFLOW_TYPE, {
        workflowId: connectorSyncWorkflowId(connectorId),
        taskQueue: syncTaskQueue(deps.taskQueue),
        args: [input],
        signal: connectorWakeSignal,
        signalArgs: [reason],
      }),
    );
  }

  return {
    wake,
    /** Config changed: forget the cached list and wake this connector now (errors are logged, not thrown). */
    changed(connectorId: string): void {
      cached = undefined;
      wake(connectorId).catch((err) => deps.logger.warn({ connectorId, err: String(err) }, 'could not wake connector sync'));
    },
    /** New events of these types were committed: wake every enabled connector that wants one. */
    async eventsCommitted(types: Set<string>): Promise<void> {
      if (!cached || Date.now() - cached.at > LIST_TTL_MS) {
        // Bounded: the dispatcher waits for this, and the pool may be saturated.
        const rows = await within(
          LIST_DEADLINE_MS,
          deps.db
            .select({ id: connectors.id, kind: connectors.kind, events: connectors.events })
            .from(connectors)
            .where(eq(connectors.enabled, true)),
          'listing enabled connectors',
        );
        cached = { at: Date.now(), list: rows.filter((r) => consumesEvents(r.kind)) };
      }
      const due = cached.list.filter((c) => c.events.length === 0 || c.events.some((t) => types.has(t)));
      await Promise.all(
        due.map((c) =>
          wake(c.id, 'events').catch((err) => deps.logger.warn({ connectorId: c.id, err: String(err) }, 'could not wake connector sync')),
        ),
      );
    },
  };
}

export type ConnectorWaker = ReturnType<typeof createConnectorWaker>;
