import { gzipSync } from 'node:zlib';
import { ApplicationFailure, Context, heartbeat } from '@temporalio/activity';
import { eq } from 'drizzle-orm';
import { ConnectorError } from '../../connectors/connector.js';
import { createRecordCsv } from '../../connectors/csv/render-records.js';
import { recordNeeds } from '../../connectors/csv/record-needs.js';
import { activityFailure } from './activity-failure.js';
import type { CsvDelimiter } from '../../connectors/csv/csv-writer.js';
import type { MappingEntry } from '../../connectors/mapping/mapping-entry-schema.js';
import type { SecretBox } from '../../connectors/security/secret-box.js';
import type { Db, Sql } from '../../schema/db.js';
import { RECORD_ROOT, streamRecords } from '../../schema/record-queries.js';
import { connectors, scheduleRuns, schedules } from '../../schema/tables/index.js';
import { createConnectorRuntime } from './connector-runtime.js';
import { openConnector } from './open-connector.js';
import { DELIVERY_ATTEMPTS } from '../sandboxed/delivery-attempts.js';
import { allocateRun } from './schedule-runs.js';
import { openCompiledCsv } from './open-compiled-csv.js';
import { runRecordFilter } from './run-record-filter.js';

export interface DeliveryActivityDeps {
  db: Db;
  sql: Sql;
  secretBox: SecretBox;
  allowPrivateTargets: boolean;
}

/** Activities for scheduledDelivery. A retry re-sends the same range under the same file name. */
export function createDeliveryActivities(deps: DeliveryActivityDeps) {
  const runtime = createConnectorRuntime({ allowPrivateTargets: deps.allowPrivateTargets });

  async function renderCsv(
    run: typeof scheduleRuns.$inferSelect,
    schedule: typeof schedules.$inferSelect,
  ): Promise<{ content: Buffer; count: number }> {
    const fields = schedule.fields as MappingEntry[];
    const root = RECORD_ROOT[schedule.resource];
    const delimiter = schedule.delimiter as CsvDelimiter;
    const filter = runRecordFilter(run, schedule);
    const chunks: Buffer[] = [];
    let count = 0;
    // PostgreSQL writes the file when the mapping compiles to SQL (same bytes, a fraction of the CPU).
    const compiled = await openCompiledCsv(deps.sql, schedule.resource, fields, filter, delimiter);
    if (compiled) {
      try {
        for await (const chunk of compiled.body) {
          chunks.push(chunk as Buffer);
          heartbeat({ rendered: compiled.records() });
        }
        count = compiled.records();
      } finally {
        compiled.copy.release();
      }
    } else {
      const csv = createRecordCsv(fields, root, { delimiter });
      chunks.push(Buffer.from(csv.header));
      for await (const batch of streamRecords(deps.sql, schedule.resource, filter, recordNeeds(fields, root))) {
        chunks.push(Buffer.from(csv.lines(batch)));
        count += batch.length;
        heartbeat({ rendered: count });
      }
    }
    const content = Buffer.concat(chunks);
    return { content: schedule.gzip ? gzipSync(content) : content, count };
  }

  /** Waits until every transaction below the run's bound has finished, so its range is complete. */
  async function awaitRangeComplete(toTxid: string): Promise<void> {
    const deadline = Date.now() + 60_000;
    for (;;) {
      const [row] = await deps.sql<{ done: boolean }[]>`select pg_snapshot_xmin(pg_current_snapshot()) >= ${toTxid}::xid8 as done`;
      if (row?.done) return;
      if (Date.now() > deadline) throw new Error("a transaction inside this run's range is still open after 60 s; will retry");
      heartbeat();
      await new Promise((r) => setTimeout(r, 100));
    }
  }

  return {
    async beginRun(input: { scheduleId: string; runId?: string }): Promise<{ runId: string } | null> {
      if (input.runId) return { runId: input.runId };
      const execution = Context.current().info.workflowExecution;
      const run = await allocateRun(deps.sql, input.scheduleId, execution && `${execution.workflowId}/${execution.runId}`);
      return run ? { runId: run.runId } : null;
    },

    async deliverRun(input: { runId: string }): Promise<{ status: string; recordCount: number; fileName: string }> {
      const [row] = await deps.db
        .select({ run: scheduleRuns, schedule: schedules, connector: connectors })
        .from(scheduleRuns)
        .innerJoin(schedules, eq(schedules.id, scheduleRuns.scheduleId))
        .innerJoin(connectors, eq(connectors.id, schedules.connectorId))
        .where(eq(scheduleRuns.id, input.runId));
      if (!row) throw ApplicationFailure.nonRetryable(`run ${input.runId} not found`, 'NotFound');
      const { run, schedule, connector } = row;
      await deps.db
        .update(scheduleRuns)
        .set({ attempts: run.attempts + 1, status: 'running' })
        .where(eq(scheduleRuns.id, run.id));
      // Uploads can be slow; keep telling Temporal we are alive while one is in flight.
      const beat = setInterval(() => heartbeat(), 2000);
      try {
        await awaitRangeComplete(run.toTxid);
        const { content, count } = await renderCsv(run, schedule);
        if (count === 0 && !schedule.sendEmpty) {
          await deps.db
            .update(scheduleRuns)
            .set({ status: 'empty', recordCount: 0, finishedAt: new Date(), lastError: null })
            .where(eq(scheduleRuns.id, run.id));
          return { status: 'empty', recordCount: 0, fileName: run.fileName };
        }
        const destination = openConnector(connector, deps.secretBox, runtime).instance.fileDestination;
        if (!destination) throw new ConnectorError('invalid', `connector ${connector.id} (${connector.kind}) cannot receive files`);
        const { location } = await destination.deliver({
          name: run.fileName,
          content,
          contentType: schedule.gzip ? 'application/gzip' : 'text/csv',
        });
        await deps.db
          .update(scheduleRuns)
          .set({ status: 'succeeded', recordCount: count, location, finishedAt: new Date(), lastError: null })
          .where(eq(scheduleRuns.id, run.id));
        return { status: 'succeeded', recordCount: count, fileName: run.fileName };
      } catch (err) {
        const message = err instanceof Error ? err.message : String(err);
        const failure = activityFailure(err);
        // Until the last try the run stays `running` (the error shown): a run marked `failed` is
        // free for the next delivery to retry, and two deliveries of one run would race.
        const final =
          (failure instanceof ApplicationFailure && failure.nonRetryable) || Context.current().info.attempt >= DELIVERY_ATTEMPTS;
        await deps.db
          .update(scheduleRuns)
          .set(
            final ? { status: 'failed', lastError: message.slice(0, 1000), finishedAt: new Date() } : { lastError: message.slice(0, 1000) },
          )
          .where(eq(scheduleRuns.id, run.id));
        throw failure;
      } finally {
        clearInterval(beat);
      }
    },
  };
}

export type DeliveryActivities = ReturnType<typeof createDeliveryActivities>;
