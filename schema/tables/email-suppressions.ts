import { pgTable, primaryKey, text } from 'drizzle-orm/pg-core';
import { tstz } from './columns.js';
import { programs } from './programs.js';

/** Addresses that unsubscribed from a program's emails: nothing of the share lifecycle is sent to them again. */
export const emailSuppressions = pgTable(
  'email_suppressions',
  {
    programId: text('program_id')
      .notNull()
      .references(() => programs.id),
    // Lower-cased.
    email: text('email').notNull(),
    reason: text('reason').notNull().default('unsubscribed'),
    createdAt: tstz('created_at').notNull().defaultNow(),
  },
  (t) => [primaryKey({ columns: [t.programId, t.email] })],
);
