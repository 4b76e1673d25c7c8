import { sql } from 'drizzle-orm';
import { index, integer, pgTable, text, uniqueIndex } from 'drizzle-orm/pg-core';
import { tstz } from './columns.js';
import { connectors } from './connectors.js';

export const RECOVERY_STATUSES = ['running', 'completed'] as const;

/**
 * A request to re-send a connector's failed and dead deliveries since a time, carried out by a
 * connectorRecovery workflow that queues them on the replay path and counts them down.
 */
export const connectorRecoveries = pgTable(
  'connector_recoveries',
  {
    id: text('id').primaryKey(),
    connectorId: text('connector_id')
      .notNull()
      .references(() => connectors.id, { onDelete: 'cascade' }),
    since: tstz('since').notNull(),
    status: text('status', { enum: RECOVERY_STATUSES }).notNull().default('running'),
    // Known once the workflow has queued the deliveries (null before).
    queued: integer('queued'),
    queuedAt: tstz('queued_at'),
    remaining: integer('remaining'),
    succeeded: integer('succeeded').notNull().default(0),
    dead: integer('dead').notNull().default(0),
    createdAt: tstz('created_at').notNull().defaultNow(),
    finishedAt: tstz('finished_at'),
  },
  (t) => [
    index('connector_recoveries_connector_idx').on(t.connectorId, t.id),
    // A second click with the same time while the first runs gets the first.
    uniqueIndex('connector_recoveries_running_uq')
      .on(t.connectorId, t.since)
      .where(sql`status = 'running'`),
  ],
);
