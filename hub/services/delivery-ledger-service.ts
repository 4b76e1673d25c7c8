import { WorkflowExecutionAlreadyStartedError } from '@temporalio/client';
import { and, desc, eq, inArray, lt } from 'drizzle-orm';
import { newId } from '../../lib/ids.js';
import { connectorRecoveries, deliveries, deliveryAttempts } from '../../schema/tables/index.js';
import {
  CONNECTOR_RECOVERY_WORKFLOW_TYPE,
  connectorRecoveryWorkflowId,
  type ConnectorRecoveryInput,
} from '../../workflows/sandboxed/connector-recovery-input.js';
import type { ConnectorRow } from '../../workflows/activities/open-connector.js';
import type { connectorRecovery } from '../../workflows/sandboxed/connector-recovery.js';
import { syncTaskQueue } from '../../workflows/sandboxed/sync-task-queue.js';
import { ApiError } from '../http/api-error.js';
import type { Principal } from '../http/hub-env.js';
import type { HubDeps } from './hub-deps.js';
import { decodeCursor, pageOf } from './page-cursor.js';

const iso = (d: Date) => d.toISOString();
type AttemptRow = typeof deliveryAttempts.$inferSelect;
type RecoveryRow = typeof connectorRecoveries.$inferSelect;

const attemptJson = (a: AttemptRow) => ({ ...a, startedAt: iso(a.startedAt) });
const recoveryJson = (r: RecoveryRow) => ({
  id: r.id,
  connectorId: r.connectorId,
  since: iso(r.since),
  status: r.status,
  queued: r.queued,
  remaining: r.remaining,
  succeeded: r.succeeded,
  dead: r.dead,
  createdAt: iso(r.createdAt),
  finishedAt: r.finishedAt && iso(r.finishedAt),
});

/**
 * Each delivery's attempts, and recoveries (re-sending a connector's failed deliveries since a
 * time). A connector is always looked up through `getRow`, the connector routes' own lookup.
 */
export function createDeliveryLedgerService(deps: HubDeps, getRow: (principal: Principal, id: string) => Promise<ConnectorRow>) {
  const { db } = deps;

  async function startRecovery(recovery: RecoveryRow) {
    const temporal = deps.temporal;
    if (!temporal) throw new ApiError('unavailable', 'Temporal is not configured for this process');
    const input: ConnectorRecoveryInput = { recoveryId: recovery.id, connectorId: recovery.connectorId };
    try {
      await temporal.client.connection.withDeadline(Date.now() + 10_000, () =>
        temporal.client.workflow.start<typeof connectorRecovery>(CONNECTOR_RECOVERY_WORKFLOW_TYPE, {
          workflowId: connectorRecoveryWorkflowId(recovery.connectorId, recovery.since),
          taskQueue: syncTaskQueue(temporal.taskQueue),
          args: [input],
        }),
      );
    } catch (err) {
      if (err instanceof WorkflowExecutionAlreadyStartedError) return;
      deps.logger.warn({ recoveryId: recovery.id, err: String(err) }, 'could not start a recovery');
      throw new ApiError('unavailable', 'Temporal is unreachable; try again shortly');
    }
  }

  return {
    /** A delivery's attempts, newest first (as Svix lists a message's attempts). */
    async attempts(principal: Principal, deliveryId: string, q: { limit: number; cursor?: string }) {
      const [d] = await db.select({ connectorId: deliveries.connectorId }).from(deliveries).where(eq(deliveries.id, deliveryId));
      if (!d) throw new ApiError('not_found', `Delivery ${deliveryId} not found`);
      // Another program's delivery is as unknown as a missing one.
      await getRow(principal, d.connectorId).catch((err) => {
        throw err instanceof ApiError && err.code === 'not_found' ? new ApiError('not_found', `Delivery ${deliveryId} not found`) : err;
      });
      const after = decodeCursor(q.cursor, 1);
      const rows = await db
        .select()
        .from(deliveryAttempts)
        .where(and(eq(deliveryAttempts.deliveryId, deliveryId), after ? lt(deliveryAttempts.id, after[0] as string) : undefined))
        .orderBy(desc(deliveryAttempts.id))
        .limit(q.limit + 1);
      const page = pageOf(rows, q.limit, (r) => [r.id]);
      return { data: page.data.map(attemptJson), nextCursor: page.nextCursor };
    },

    /**
     * The newest attempts (up to `perDelivery` each) of several deliveries of one connector, in
     * one query, for a page that lists deliveries with their attempts.
     */
    async attemptsOf(principal: Principal, connectorId: string, deliveryIds: string[], perDelivery = 5) {
      const connector = await getRow(principal, connectorId);
      const byDelivery = new Map<string, ReturnType<typeof attemptJson>[]>(deliveryIds.map((id) => [id, []]));
      if (deliveryIds.length === 0) return byDelivery;
      const rows = await db
        .select()
        .from(deliveryAttempts)
        .where(and(eq(deliveryAttempts.connectorId, connector.id), inArray(deliveryAttempts.deliveryId, deliveryIds)))
        .orderBy(desc(deliveryAttempts.attempt), desc(deliveryAttempts.id));
      for (const row of rows) {
        const list = byDelivery.get(row.deliveryId);
        if (list && list.length < perDelivery) list.push(attemptJson(row));
      }
      return byDelivery;
    },

    /**
     * Starts (or finds running) the recovery of this connector's failed and dead deliveries since
     * `since`. `queued` is how many matched when asked; the recovery's progress has the exact count.
     */
    async recover(principal: Principal, connectorId: string, sinceIso: string) {
      const connector = await getRow(principal, connectorId);
      const since = new Date(sinceIso);
      const [match] = await deps.sql<{ n: number }[]>`
        select count(*)::int as n from deliveries
        where connector_id = ${connector.id} and status in ('failed', 'dead') and last_attempt_at >= ${iso(since)}::timestamptz`;
      // Two clicks at once: the partial unique index lets one insert, the other finds it running.
      for (let tries = 0; tries < 3; tries++) {
        const [created] = await db
          .insert(connectorRecoveries)
          .values({ id: newId('rcv'), connectorId: connector.id, since })
          .onConflictDoNothing()
          .returning();
        const recovery =
          created ??
          (
            await db
              .select()
              .from(connectorRecoveries)
              .where(
                and(
                  eq(connectorRecoveries.connectorId, connector.id),
                  eq(connectorRecoveries.since, since),
                  eq(connectorRecoveries.status, 'running'),
                ),
              )
          )[0];
        if (!recovery) continue; // the running one finished in between: this request starts a new one
        try {
          // Also for one found running: a hub that stopped between its insert and this start left it without a workflow.
          await startRecovery(recovery);
        } catch (err) {
          if (created) await db.delete(connectorRecoveries).where(eq(connectorRecoveries.id, created.id));
          throw err;
        }
        return { recoveryId: recovery.id, queued: created ? (match?.n ?? 0) : (recovery.queued ?? match?.n ?? 0) };
      }
      throw new ApiError('unavailable', 'Could not start the recovery; try again');
    },

    async recovery(principal: Principal, connectorId: string, recoveryId: string) {
      const connector = await getRow(principal, connectorId);
      const [row] = await db
        .select()
        .from(connectorRecoveries)
        .where(and(eq(connectorRecoveries.id, recoveryId), eq(connectorRecoveries.connectorId, connector.id)));
      if (!row) throw new ApiError('not_found', `Recovery ${recoveryId} not found`);
      return recoveryJson(row);
    },
  };
}
