import { index, pgTable, primaryKey, text } from 'drizzle-orm/pg-core';
import { tstz } from './columns.js';
import { connectors } from './connectors.js';

/** Events to deliver again to one connector (retry of a delivery, replay of a time range). */
export const connectorReplays = pgTable(
  'connector_replays',
  {
    connectorId: text('connector_id')
      .notNull()
      .references(() => connectors.id, { onDelete: 'cascade' }),
    eventId: text('event_id').notNull(),
    // Who asked: the attempt it leads to is recorded with this trigger (and recovery).
    trigger: text('trigger', { enum: ['retry', 'replay', 'recover'] })
      .notNull()
      .default('replay'),
    recoveryId: text('recovery_id'),
    createdAt: tstz('created_at').notNull().defaultNow(),
  },
  (t) => [primaryKey({ columns: [t.connectorId, t.eventId] }), index('connector_replays_recovery_idx').on(t.recoveryId)],
);
