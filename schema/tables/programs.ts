import { integer, jsonb, pgTable, text } from 'drizzle-orm/pg-core';
import { tstz } from './columns.js';

/** How a program pays its approved rewards; every field has a default (see payoutSettingsOf). */
export interface PayoutSettings {
  /** A member's approved unpaid total (per currency and kind) must reach this before a payout is made; 0 pays each reward. */
  minimumAmount?: number;
  /** false: payouts wait in `pending` until someone sends them. */
  autoPay?: boolean;
  /** Most one member may be paid per currency in 24 hours; a payout above it waits for a person. */
  dailyCapPerMember?: number | null;
}

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
  payouts: jsonb('payouts').$type<PayoutSettings>().notNull().default({}),
  createdAt: tstz('created_at').notNull().defaultNow(),
  updatedAt: tstz('updated_at').notNull().defaultNow(),
});
