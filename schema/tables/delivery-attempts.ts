import { index, integer, pgTable, text } from 'drizzle-orm/pg-core';
import { tstz } from './columns.js';
import { deliveries } from './deliveries.js';

export const ATTEMPT_OUTCOMES = ['succeeded', 'failed', 'dead'] as const;
/** `scheduled` is the sync's own push (first try or backoff retry); the others were asked for. */
export const ATTEMPT_TRIGGERS = ['scheduled', 'retry', 'replay', 'recover'] as const;

/**
 * Every push of a record, failed ones included: the delivery row holds the latest outcome, these
 * rows hold how it got there. Written in the same statement as the delivery row.
 */
export const deliveryAttempts = pgTable(
  'delivery_attempts',
  {
    id: text('id').primaryKey(),
    deliveryId: text('delivery_id')
      .notNull()
      .references(() => deliveries.id, { onDelete: 'cascade' }),
    connectorId: text('connector_id').notNull(),
    attempt: integer('attempt').notNull(),
    startedAt: tstz('started_at').notNull(),
    durationMs: integer('duration_ms').notNull(),
    outcome: text('outcome', { enum: ATTEMPT_OUTCOMES }).notNull(),
    httpStatus: integer('http_status'),
    // The start of the provider's answer with the connector's secrets blanked out.
    responseExcerpt: text('response_excerpt'),
    errorKind: text('error_kind'),
    errorMessage: text('error_message'),
    trigger: text('trigger', { enum: ATTEMPT_TRIGGERS }).notNull(),
    // The recovery that queued this attempt, so its progress can count what got through.
    recoveryId: text('recovery_id'),
  },
  (t) => [index('delivery_attempts_delivery_idx').on(t.deliveryId, t.attempt), index('delivery_attempts_recovery_idx').on(t.recoveryId)],
);
