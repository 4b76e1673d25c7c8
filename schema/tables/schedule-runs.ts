import { bigint, index, integer, pgTable, text, uniqueIndex } from 'drizzle-orm/pg-core';
import { tstz, xid8 } from './columns.js';
import { schedules } from './schedules.js';

export const RUN_STATUSES = ['running', 'succeeded', 'failed', 'empty'] as const;

/**
 * One delivery of a schedule and the exact event-log range it covers: rows with
 * (txid, seq) > (from_txid, from_seq) and txid < to_txid. Consecutive runs tile the log, so a
 * record is in exactly one run; a failed run is retried with the same range and file name.
 */
export const scheduleRuns = pgTable(
  'schedule_runs',
  {
    id: text('id').primaryKey(),
    scheduleId: text('schedule_id')
      .notNull()
      .references(() => schedules.id, { onDelete: 'cascade' }),
    status: text('status', { enum: RUN_STATUSES }).notNull(),
    fromTxid: xid8('from_txid').notNull(),
    fromSeq: bigint('from_seq', { mode: 'number' }).notNull(),
    toTxid: xid8('to_txid').notNull(),
    fileName: text('file_name').notNull(),
    recordCount: integer('record_count'),
    attempts: integer('attempts').notNull().default(0),
    lastError: text('last_error'),
    location: text('location'),
    startedAt: tstz('started_at').notNull().defaultNow(),
    finishedAt: tstz('finished_at'),
    // The workflow execution that took this run (scheduled runs only): a retried allocation
    // returns the same run instead of taking a second range and stranding the first.
    allocatedBy: text('allocated_by'),
  },
  (t) => [
    index('schedule_runs_schedule_idx').on(t.scheduleId, t.startedAt),
    uniqueIndex('schedule_runs_allocated_by_uq').on(t.allocatedBy),
  ],
);
