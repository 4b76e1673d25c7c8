import { integer, jsonb, pgTable, primaryKey, text } from 'drizzle-orm/pg-core';
import { tstz } from './columns.js';

/** Stored answers for `Idempotency-Key` requests: same key + same body → same answer. */
export const idempotencyKeys = pgTable(
  'idempotency_keys',
  {
    // The API key (or bootstrap principal) that sent it: keys never collide across clients.
    principal: text('principal').notNull(),
    key: text('key').notNull(),
    method: text('method').notNull(),
    path: text('path').notNull(),
    requestHash: text('request_hash').notNull(),
    responseStatus: integer('response_status'),
    responseBody: jsonb('response_body'),
    createdAt: tstz('created_at').notNull().defaultNow(),
    completedAt: tstz('completed_at'),
  },
  (t) => [primaryKey({ columns: [t.principal, t.key] })],
);
