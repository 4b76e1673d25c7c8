import { Readable } from 'node:stream';
import { createGzip } from 'node:zlib';
import { and, eq } from 'drizzle-orm';
import { createRecordCsv } from '../../connectors/csv/render-records.js';
import { recordNeeds } from '../../connectors/csv/record-needs.js';
import type { CsvDelimiter } from '../../connectors/csv/csv-writer.js';
import type { MappingEntry } from '../../connectors/mapping/mapping-entry-schema.js';
import { RECORD_ROOT, streamRecords } from '../../schema/record-queries.js';
import { PoolTimeoutError } from '../../schema/reserve-connection.js';
import { openCompiledCsv } from '../../workflows/activities/open-compiled-csv.js';
import { runRecordFilter } from '../../workflows/activities/run-record-filter.js';
import { scheduleRuns } from '../../schema/tables/index.js';
import { ApiError } from '../http/api-error.js';
import type { Principal } from '../http/hub-env.js';
import type { OpenStream } from '../http/send-stream.js';
import type { HubDeps } from './hub-deps.js';
import { exportSlotsFor } from './export-slots.js';
import { createScheduleService } from './schedule-service.js';

/**
 * The file of one run, rendered again from the run's exact range of the event log with the
 * schedule's fields, delimiter and gzip, so it holds the records that run delivered (or will
 * deliver). Nothing is stored: the hub never keeps copies of delivered files.
 */
export function createScheduleRunFiles(deps: HubDeps) {
  const schedules = createScheduleService(deps);
  const slots = exportSlotsFor(deps.sql);
  return {
    async open(principal: Principal, scheduleId: string, runId: string): Promise<OpenStream & { fileName: string }> {
      const schedule = await schedules.getRow(principal, scheduleId);
      const [run] = await deps.db
        .select()
        .from(scheduleRuns)
        .where(and(eq(scheduleRuns.id, runId), eq(scheduleRuns.scheduleId, scheduleId)));
      if (!run) throw new ApiError('not_found', `Run ${runId} not found`);
      const fields = schedule.fields as MappingEntry[];
      const root = RECORD_ROOT[schedule.resource];
      const csv = createRecordCsv(fields, root, { delimiter: schedule.delimiter as CsvDelimiter });
      const freeSlot = await slots.acquire();
      const filter = runRecordFilter(run, schedule);
      // PostgreSQL writes the file when the mapping compiles to SQL; else rows are mapped here.
      const compiled = await openCompiledCsv(deps.sql, schedule.resource, fields, filter, schedule.delimiter as CsvDelimiter).catch(
        (err: unknown) => {
          freeSlot();
          if (err instanceof PoolTimeoutError) throw new ApiError('unavailable', 'The database is busy; try again shortly');
          throw err;
        },
      );
      let plain: Readable;
      let release: () => void;
      if (compiled) {
        plain = compiled.body;
        release = () => {
          compiled.copy.release();
          freeSlot();
        };
      } else {
        const rows = streamRecords(deps.sql, schedule.resource, filter, recordNeeds(fields, root));
        async function* text() {
          yield csv.header;
          for await (const batch of rows) yield csv.lines(batch);
        }
        plain = Readable.from(text(), { objectMode: false });
        release = () => {
          rows
            .return(undefined)
            .catch(() => {})
            .finally(freeSlot);
        };
      }
      const body = schedule.gzip ? plain.pipe(createGzip()) : plain;
      if (body !== plain) plain.on('error', (err) => body.destroy(err));
      const safeName = run.fileName.replace(/["\\\r\n]/g, '_');
      return {
        fileName: run.fileName,
        body,
        release,
        headers: {
          'Content-Type': schedule.gzip ? 'application/gzip' : 'text/csv; charset=utf-8',
          'Content-Disposition': `attachment; filename="${safeName}"`,
        },
      };
    },
  };
}
