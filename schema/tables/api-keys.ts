import { pgTable, text } from 'drizzle-orm/pg-core';
import { tstz } from './columns.js';

export const API_SCOPES = ['track', 'read', 'write', 'admin'] as const;
export type ApiScope = (typeof API_SCOPES)[number];

export const apiKeys = pgTable('api_keys', {
  id: text('id').primaryKey(),
  name: text('name').notNull(),
  // First characters of the key, shown in lists so people can tell keys apart.
  prefix: text('prefix').notNull(),
  // SHA-256 of the whole key; the key itself is shown once and never stored.
  hash: text('hash').notNull().unique(),
  scopes: text('scopes').array().$type<ApiScope[]>().notNull(),
  programIds: text('program_ids').array().notNull().default([]),
  lastUsedAt: tstz('last_used_at'),
  revokedAt: tstz('revoked_at'),
  createdAt: tstz('created_at').notNull().defaultNow(),
});
