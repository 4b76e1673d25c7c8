import { index, integer, jsonb, pgTable, text, boolean } from 'drizzle-orm/pg-core';
import { tstz } from './columns.js';

export const CONNECTOR_STATUSES = ['active', 'failing', 'disabled'] as const;

/** A configured destination (or inbound source). Secrets are sealed with AES-256-GCM. */
export const connectors = pgTable(
  'connectors',
  {
    // `con_…`, or `hook_…` for Zapier REST hook subscriptions.
    id: text('id').primaryKey(),
    kind: text('kind').notNull(),
    name: text('name').notNull(),
    settings: jsonb('settings').$type<Record<string, unknown>>().notNull(),
    secretsSealed: text('secrets_sealed'),
    events: text('events').array().notNull().default([]),
    programIds: text('program_ids').array().notNull().default([]),
    mapping: jsonb('mapping').$type<unknown[]>(),
    enabled: boolean('enabled').notNull().default(true),
    status: text('status', { enum: CONNECTOR_STATUSES }).notNull().default('active'),
    statusReason: text('status_reason'),
    consecutiveFailures: integer('consecutive_failures').notNull().default(0),
    inboundToken: text('inbound_token').unique(),
    createdAt: tstz('created_at').notNull().defaultNow(),
    updatedAt: tstz('updated_at').notNull().defaultNow(),
  },
  (t) => [index('connectors_kind_idx').on(t.kind)],
);
