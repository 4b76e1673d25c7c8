import { sql } from 'drizzle-orm';
import { index, jsonb, pgTable, text, uniqueIndex } from 'drizzle-orm/pg-core';
import { tstz } from './columns.js';
import { programs } from './programs.js';

export const members = pgTable(
  'members',
  {
    id: text('id').primaryKey(),
    programId: text('program_id')
      .notNull()
      .references(() => programs.id),
    email: text('email').notNull(),
    firstName: text('first_name'),
    lastName: text('last_name'),
    externalId: text('external_id'),
    referralCode: text('referral_code').notNull().unique(),
    // The member's own browser (from referral.js or sign-up), used to refuse self-referrals.
    visitorId: text('visitor_id'),
    customFields: jsonb('custom_fields').$type<Record<string, unknown>>().notNull().default({}),
    payoutDetails: jsonb('payout_details').$type<Record<string, unknown>>(),
    createdAt: tstz('created_at').notNull().defaultNow(),
    updatedAt: tstz('updated_at').notNull().defaultNow(),
    deletedAt: tstz('deleted_at'),
  },
  (t) => [
    // Case-insensitive uniqueness per program.
    uniqueIndex('members_program_email_uq').on(t.programId, sql`lower(${t.email})`),
    index('members_program_external_idx').on(t.programId, t.externalId),
  ],
);
