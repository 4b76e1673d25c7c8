import { index, integer, jsonb, pgTable, text } from 'drizzle-orm/pg-core';
import { tstz } from './columns.js';

export const INBOUND_SOURCES = ['inbound', 'stripe', 'hubspot'] as const;

/**
 * Every authenticated inbound webhook request: the exact bytes it
 * sent and what the hub answered, so ops can see why a Zap's post was refused or replay it.
 * Requests that failed authentication are not kept: strangers cannot fill the table.
 */
export const inboundRequests = pgTable(
  'inbound_requests',
  {
    id: text('id').primaryKey(),
    source: text('source', { enum: INBOUND_SOURCES }).notNull(),
    // The inbound connector that received it (null for Stripe and HubSpot).
    connectorId: text('connector_id'),
    contentType: text('content_type'),
    rawBody: text('raw_body').notNull(),
    status: integer('status').notNull(),
    // The answer's body: the created object's summary, or the error envelope.
    answer: jsonb('answer'),
    receivedAt: tstz('received_at').notNull().defaultNow(),
  },
  (t) => [index('inbound_requests_source_idx').on(t.source, t.id), index('inbound_requests_connector_idx').on(t.connectorId, t.id)],
);
