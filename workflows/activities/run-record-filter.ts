import type { RecordFilter } from '../../schema/record-queries.js';
import type { scheduleRuns, schedules } from '../../schema/tables/index.js';

/** The records a schedule run covers: its event-log range, within the schedule's programs and start. */
export function runRecordFilter(run: typeof scheduleRuns.$inferSelect, schedule: typeof schedules.$inferSelect): RecordFilter {
  return {
    kind: 'range',
    fromTxid: run.fromTxid,
    fromSeq: run.fromSeq,
    toTxid: run.toTxid,
    startFrom: schedule.startFrom?.toISOString() ?? null,
    programIds: schedule.programIds,
  };
}
