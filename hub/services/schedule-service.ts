import {
  ScheduleNotFoundError,
  ScheduleOverlapPolicy,
  WorkflowExecutionAlreadyStartedError,
  type Client,
  type ScheduleSpec,
} from '@temporalio/client';
import { and, desc, eq, lt } from 'drizzle-orm';
import { parseDuration } from '../../lib/duration.js';
import { newId } from '../../lib/ids.js';
import { connectors, scheduleRuns, schedules } from '../../schema/tables/index.js';
import { allocateRun } from '../../workflows/activities/schedule-runs.js';
import {
  SCHEDULED_DELIVERY_WORKFLOW_TYPE,
  type ScheduledDeliveryInput,
  type scheduledDelivery,
} from '../../workflows/sandboxed/scheduled-delivery.js';
import { syncTaskQueue } from '../../workflows/sandboxed/sync-task-queue.js';
import type { ScheduleCreate, SchedulePatch } from '../contracts/schedule-contract.js';
import { ApiError } from '../http/api-error.js';
import type { Principal } from '../http/hub-env.js';
import { assertCanAssignPrograms, canSeePrograms, visibleProgramsFilter } from '../http/program-scope.js';
import type { HubDeps } from './hub-deps.js';
import { decodeCursor, pageOf } from './page-cursor.js';
import { CONNECTORS, connectorDefinition } from '../../connectors/registry.js';

type ScheduleRow = typeof schedules.$inferSelect;
const iso = (d: Date | null) => (d ? d.toISOString() : null);

export function scheduleJson(s: ScheduleRow) {
  return {
    id: s.id,
    name: s.name,
    connectorId: s.connectorId,
    resource: s.resource,
    programIds: s.programIds,
    every: s.every,
    cron: s.cron,
    timezone: s.timezone,
    format: 'csv' as const,
    fileName: s.fileName,
    fields: s.fields,
    delimiter: s.delimiter,
    gzip: s.gzip,
    sendEmpty: s.sendEmpty,
    startFrom: iso(s.startFrom),
    paused: s.paused,
    createdAt: iso(s.createdAt)!,
    updatedAt: iso(s.updatedAt)!,
  };
}

function runJson(r: typeof scheduleRuns.$inferSelect) {
  return {
    id: r.id,
    status: r.status,
    recordCount: r.recordCount,
    fileName: r.fileName,
    attempts: r.attempts,
    lastError: r.lastError,
    location: r.location,
    startedAt: iso(r.startedAt)!,
    finishedAt: iso(r.finishedAt),
  };
}

const temporalScheduleId = (id: string) => `schedule:${id}`;

function specOf(s: Pick<ScheduleRow, 'every' | 'cron' | 'timezone'>): ScheduleSpec {
  return s.every ? { intervals: [{ every: parseDuration(s.every) }] } : { cronExpressions: [s.cron!], timezone: s.timezone ?? 'UTC' };
}

/** Schedule rows, each backed by a Temporal Schedule that starts scheduledDelivery. */
export function createScheduleService(deps: HubDeps) {
  const temporal = () => {
    if (!deps.temporal) throw new ApiError('unavailable', 'Temporal is not configured for this process');
    return deps.temporal;
  };
  const call = async <T>(fn: (client: Client) => Promise<T>): Promise<T> => {
    const { client } = temporal();
    try {
      return await client.connection.withDeadline(Date.now() + 10_000, () => fn(client));
    } catch (err) {
      deps.logger.warn({ err: String(err) }, 'Temporal schedule call failed');
      throw new ApiError('unavailable', 'Temporal is unreachable; try again shortly');
    }
  };

  /** A schedule the caller may see, else 404: another program's ids are not revealed. */
  async function getRow(principal: Principal, id: string) {
    const [row] = await deps.db.select().from(schedules).where(eq(schedules.id, id));
    if (!row || !canSeePrograms(principal, row.programIds)) throw new ApiError('not_found', `Schedule ${id} not found`);
    return row;
  }

  async function startRun(scheduleId: string, runId: string, workflowId = `schedule-run:${runId}:${Date.now()}`) {
    const input: ScheduledDeliveryInput = { scheduleId, runId };
    await call((client) =>
      client.workflow
        .start<typeof scheduledDelivery>(SCHEDULED_DELIVERY_WORKFLOW_TYPE, {
          workflowId,
          taskQueue: syncTaskQueue(temporal().taskQueue),
          args: [input],
        })
        .catch((err) => {
          // The same redeliver asked again while the first is still going: that one sends the file.
          if (!(err instanceof WorkflowExecutionAlreadyStartedError)) throw err;
        }),
    );
  }

  return {
    getRow,
    json: scheduleJson,

    async create(principal: Principal, input: ScheduleCreate) {
      assertCanAssignPrograms(principal, input.programIds);
      const [connector] = await deps.db
        .select({ kind: connectors.kind, programIds: connectors.programIds })
        .from(connectors)
        .where(eq(connectors.id, input.connectorId));
      // A connector the key cannot see is answered as unknown, like any other id of another program.
      if (!connector || !canSeePrograms(principal, connector.programIds))
        throw new ApiError('validation_failed', `Connector ${input.connectorId} not found`, [
          { path: 'connectorId', message: 'unknown connector' },
        ]);
      if (!connectorDefinition(connector.kind)?.scheduledFiles) {
        const fileKinds = CONNECTORS.filter((d) => d.scheduledFiles).map((d) => d.kind);
        throw new ApiError(
          'validation_failed',
          `Scheduled deliveries need a file connector (${fileKinds.join(', ')}), not ${connector.kind}`,
          [{ path: 'connectorId', message: 'not a file connector' }],
        );
      }
      const id = newId('sch');
      const [row] = await deps.db
        .insert(schedules)
        .values({
          id,
          name: input.name,
          connectorId: input.connectorId,
          resource: input.resource,
          programIds: input.programIds,
          every: input.every ?? null,
          cron: input.cron ?? null,
          timezone: input.timezone ?? null,
          fileName: input.fileName,
          fields: input.fields,
          delimiter: input.delimiter,
          gzip: input.gzip,
          sendEmpty: input.sendEmpty,
          startFrom: input.startFrom ? new Date(input.startFrom) : null,
          paused: input.paused,
        })
        .returning();
      try {
        await call((client) =>
          client.schedule.create({
            scheduleId: temporalScheduleId(id),
            spec: specOf(row!),
            action: {
              type: 'startWorkflow',
              workflowType: SCHEDULED_DELIVERY_WORKFLOW_TYPE,
              args: [{ scheduleId: id }],
              taskQueue: syncTaskQueue(temporal().taskQueue),
            },
            // A run still going when the next is due is not doubled; missed runs are not replayed in bulk.
            policies: { overlap: ScheduleOverlapPolicy.SKIP, catchupWindow: '10 minutes' },
            state: { paused: input.paused },
          }),
        );
      } catch (err) {
        await deps.db.delete(schedules).where(eq(schedules.id, id));
        throw err;
      }
      return scheduleJson(row!);
    },

    async list(principal: Principal, q: { limit: number; cursor?: string }) {
      const after = decodeCursor(q.cursor, 1);
      const rows = await deps.db
        .select()
        .from(schedules)
        .where(and(visibleProgramsFilter(principal, schedules.programIds), after ? lt(schedules.id, after[0] as string) : undefined))
        .orderBy(desc(schedules.id))
        .limit(q.limit + 1);
      const page = pageOf(rows, q.limit, (r) => [r.id]);
      return { data: page.data.map(scheduleJson), nextCursor: page.nextCursor };
    },

    async patch(principal: Principal, id: string, input: SchedulePatch) {
      const row = await getRow(principal, id);
      if (input.programIds) assertCanAssignPrograms(principal, input.programIds);
      const every = input.every ?? (input.cron ? null : row.every);
      const cron = input.cron ?? (input.every ? null : row.cron);
      // The row changes only if Temporal took the change: a 503 leaves both as they were.
      const updated = await deps.db.transaction(async (tx) => {
        const [next] = await tx
          .update(schedules)
          .set({
            ...input,
            every,
            cron,
            timezone: input.timezone ?? row.timezone,
            updatedAt: new Date(),
          })
          .where(eq(schedules.id, id))
          .returning();
        await call(async (client) => {
          const handle = client.schedule.getHandle(temporalScheduleId(id));
          if (input.every !== undefined || input.cron !== undefined || input.timezone !== undefined) {
            // An update rewrites the whole schedule from what describe returned, its paused state
            // too; describe can lag a pause just sent, so the paused state comes from our row.
            await handle.update((prev) => ({ ...prev, spec: specOf(next!), state: { ...prev.state, paused: next!.paused } }));
          } else if (input.paused === true) await handle.pause('paused through the API');
          else if (input.paused === false) await handle.unpause('resumed through the API');
        });
        return next!;
      });
      return scheduleJson(updated);
    },

    async remove(principal: Principal, id: string) {
      await getRow(principal, id);
      // Already gone in Temporal is fine; unreachable is a 503 that keeps the row, or the
      // Temporal Schedule would go on firing for a schedule nobody can see or delete.
      await call((client) =>
        client.schedule
          .getHandle(temporalScheduleId(id))
          .delete()
          .catch((err) => {
            if (!(err instanceof ScheduleNotFoundError)) throw err;
          }),
      );
      await deps.db.delete(schedules).where(eq(schedules.id, id));
    },

    /** Run now: the run (a retry of a failed one, or the next range) is chosen before we answer. */
    async runNow(principal: Principal, id: string) {
      await getRow(principal, id);
      const run = await allocateRun(deps.sql, id);
      if (!run) throw new ApiError('not_found', `Schedule ${id} not found`);
      await startRun(id, run.runId).catch(async (err) => {
        // Not started: mark it failed so the next delivery retries this range first, instead of
        // leaving it `running` until it counts as abandoned hours later.
        await deps.db
          .update(scheduleRuns)
          .set({ status: 'failed', lastError: 'could not be started: Temporal was unreachable', finishedAt: new Date() })
          .where(eq(scheduleRuns.id, run.runId));
        throw err;
      });
      return { runId: run.runId };
    },

    /** Sends exactly that run's records again, under the same file name. */
    async redeliver(principal: Principal, id: string, runId: string) {
      await getRow(principal, id);
      const [run] = await deps.db
        .select()
        .from(scheduleRuns)
        .where(and(eq(scheduleRuns.id, runId), eq(scheduleRuns.scheduleId, id)));
      if (!run) throw new ApiError('not_found', `Run ${runId} not found`);
      // One workflow id per run: a retried or double-clicked redeliver cannot send the file twice at once.
      await startRun(id, runId, `schedule-redeliver:${runId}`);
      return { runId };
    },

    async runs(principal: Principal, id: string, q: { limit: number; cursor?: string }) {
      await getRow(principal, id);
      const after = decodeCursor(q.cursor, 1);
      const rows = await deps.db
        .select()
        .from(scheduleRuns)
        .where(and(eq(scheduleRuns.scheduleId, id), after ? lt(scheduleRuns.id, after[0] as string) : undefined))
        .orderBy(desc(scheduleRuns.id))
        .limit(q.limit + 1);
      const page = pageOf(rows, q.limit, (r) => [r.id]);
      return { data: page.data.map(runJson), nextCursor: page.nextCursor };
    },
  };
}
