import { index, numeric, pgTable, text, uniqueIndex } from 'drizzle-orm/pg-core';
import { tstz } from './columns.js';
import { programs } from './programs.js';
import { referrals } from './referrals.js';

/** Business activity after conversion (purchase, renewal, refund…) that drives reward rules. */
export const businessEvents = pgTable(
  'business_events',
  {
    id: text('id').primaryKey(),
    programId: text('program_id')
      .notNull()
      .references(() => programs.id),
    referralId: text('referral_id')
      .notNull()
      .references(() => referrals.id),
    type: text('type').notNull(),
    amount: numeric('amount', { precision: 18, scale: 4, mode: 'number' }),
    currency: text('currency'),
    occurredAt: tstz('occurred_at').notNull(),
    idempotencyKey: text('idempotency_key').notNull(),
    createdAt: tstz('created_at').notNull().defaultNow(),
  },
  (t) => [
    uniqueIndex('business_events_idem_uq').on(t.programId, t.idempotencyKey),
    index('business_events_referral_idx').on(t.referralId, t.occurredAt),
  ],
);
