import { boolean, jsonb, pgTable, text } from 'drizzle-orm/pg-core';
import { tstz } from './columns.js';
import { connectors } from './connectors.js';

/** A scheduled CSV delivery of only-new records to a file connector (SFTP, FTPS, email). */
export const schedules = pgTable('schedules', {
  id: text('id').primaryKey(),
  name: text('name').notNull(),
  connectorId: text('connector_id')
    .notNull()
    .references(() => connectors.id),
  resource: text('resource', { enum: ['referrals', 'members', 'rewards'] })
    .notNull()
    .default('referrals'),
  programIds: text('program_ids').array().notNull().default([]),
  every: text('every'),
  cron: text('cron'),
  timezone: text('timezone'),
  fileName: text('file_name').notNull(),
  fields: jsonb('fields').$type<unknown[]>().notNull(),
  delimiter: text('delimiter').notNull().default(','),
  gzip: boolean('gzip').notNull().default(false),
  sendEmpty: boolean('send_empty').notNull().default(false),
  // The first run sends records from this time on (default: everything in scope).
  startFrom: tstz('start_from'),
  paused: boolean('paused').notNull().default(false),
  createdAt: tstz('created_at').notNull().defaultNow(),
  updatedAt: tstz('updated_at').notNull().defaultNow(),
});
