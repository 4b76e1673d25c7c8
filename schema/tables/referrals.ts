import { sql } from 'drizzle-orm';
import { index, jsonb, numeric, pgTable, text, uniqueIndex } from 'drizzle-orm/pg-core';
import { tstz } from './columns.js';
import { members } from './members.js';
import { programs } from './programs.js';

export const REFERRAL_STATUSES = ['pending', 'qualified', 'approved', 'denied'] as const;
export type ReferralStatus = (typeof REFERRAL_STATUSES)[number];

export const referrals = pgTable(
  'referrals',
  {
    id: text('id').primaryKey(),
    programId: text('program_id')
      .notNull()
      .references(() => programs.id),
    memberId: text('member_id')
      .notNull()
      .references(() => members.id),
    email: text('email').notNull(),
    firstName: text('first_name'),
    lastName: text('last_name'),
    phone: text('phone'),
    externalId: text('external_id'),
    status: text('status', { enum: REFERRAL_STATUSES }).notNull().default('pending'),
    source: text('source').notNull().default('api'),
    visitorId: text('visitor_id'),
    amount: numeric('amount', { precision: 18, scale: 4, mode: 'number' }),
    currency: text('currency'),
    orderId: text('order_id'),
    customFields: jsonb('custom_fields').$type<Record<string, unknown>>().notNull().default({}),
    fraudFlags: jsonb('fraud_flags').$type<string[]>().notNull().default([]),
    createdAt: tstz('created_at').notNull().defaultNow(),
    updatedAt: tstz('updated_at').notNull().defaultNow(),
  },
  (t) => [
    uniqueIndex('referrals_program_email_uq').on(t.programId, sql`lower(${t.email})`),
    index('referrals_member_idx').on(t.memberId),
    index('referrals_program_updated_idx').on(t.programId, t.updatedAt, t.id),
    index('referrals_program_external_idx').on(t.programId, t.externalId),
    // Browser conversions are idempotent by order id.
    index('referrals_program_order_idx').on(t.programId, t.orderId),
  ],
);
