import { sql } from 'drizzle-orm';
import { index, integer, pgTable, text, uniqueIndex } from 'drizzle-orm/pg-core';
import { tstz } from './columns.js';

/**
 * `retrying`: the last attempt failed and another is due at `next_attempt_at`; `failed`: the
 * connector was disabled before it got through; `dead`: the provider refused this record.
 */
export const DELIVERY_STATUSES = ['succeeded', 'retrying', 'failed', 'dead'] as const;

/**
 * One row per (connector, event): the ledger the UI shows and replays from.
 *
 * `connector_id` has no foreign key on purpose: the sync writes hundreds of rows per batch, and a
 * foreign key checks the connector once per row (about a third of the insert's cost). The insert
 * locks the connector row once per statement instead (FOR KEY SHARE, as the check would), and the
 * trigger `deliveries_follow_connector` (migration 0005) deletes a connector's rows with it.
 */
export const deliveries = pgTable(
  'deliveries',
  {
    id: text('id').primaryKey(),
    connectorId: text('connector_id').notNull(),
    eventId: text('event_id').notNull(),
    eventType: text('event_type').notNull(),
    // The upsert key or event id the provider dedupes on: identical across retries.
    recordKey: text('record_key').notNull(),
    status: text('status', { enum: DELIVERY_STATUSES }).notNull(),
    attempts: integer('attempts').notNull().default(1),
    lastError: text('last_error'),
    responseCode: integer('response_code'),
    lastAttemptAt: tstz('last_attempt_at'),
    // Set while `retrying`: when the connector's sync tries again (its backoff or the provider's Retry-After).
    nextAttemptAt: tstz('next_attempt_at'),
    createdAt: tstz('created_at').notNull().defaultNow(),
    updatedAt: tstz('updated_at').notNull().defaultNow(),
  },
  (t) => [
    uniqueIndex('deliveries_connector_event_uq').on(t.connectorId, t.eventId),
    index('deliveries_connector_idx').on(t.connectorId, t.id),
    // A failure stamps the next attempt's time on the connector's retrying rows; disabling fails them.
    index('deliveries_retrying_idx')
      .on(t.connectorId)
      .where(sql`status = 'retrying'`),
    // What a recovery re-sends: the connector's failed and dead rows since a time.
    index('deliveries_unsent_idx')
      .on(t.connectorId, t.lastAttemptAt)
      .where(sql`status in ('failed', 'dead')`),
  ],
);
