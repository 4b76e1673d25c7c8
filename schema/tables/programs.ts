import { integer, pgTable, text } from 'drizzle-orm/pg-core';
import { tstz } from './columns.js';

export const programs = pgTable('programs', {
  id: text('id').primaryKey(),
  slug: text('slug').notNull().unique(),
  name: text('name').notNull(),
  landingUrl: text('landing_url').notNull(),
  cookieDays: integer('cookie_days').notNull().default(30),
  status: text('status', { enum: ['active', 'paused', 'archived'] })
    .notNull()
    .default('active'),
  currency: text('currency').notNull().default('USD'),
  createdAt: tstz('created_at').notNull().defaultNow(),
  updatedAt: tstz('updated_at').notNull().defaultNow(),
});
