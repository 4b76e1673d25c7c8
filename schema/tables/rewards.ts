import { index, numeric, pgTable, text } from 'drizzle-orm/pg-core';
import { tstz } from './columns.js';
import { members } from './members.js';
import { programs } from './programs.js';
import { referrals } from './referrals.js';
import { rewardRules } from './reward-rules.js';

export const REWARD_STATUSES = ['pending', 'held', 'approved', 'denied', 'paying', 'paid', 'failed', 'cancelled'] as const;
export type RewardStatus = (typeof REWARD_STATUSES)[number];

export const rewards = pgTable(
  'rewards',
  {
    id: text('id').primaryKey(),
    programId: text('program_id')
      .notNull()
      .references(() => programs.id),
    ruleId: text('rule_id')
      .notNull()
      .references(() => rewardRules.id),
    referralId: text('referral_id')
      .notNull()
      .references(() => referrals.id),
    recipient: text('recipient', { enum: ['member', 'referral'] }).notNull(),
    memberId: text('member_id')
      .notNull()
      .references(() => members.id),
    amount: numeric('amount', { precision: 18, scale: 4, mode: 'number' }).notNull(),
    currency: text('currency').notNull(),
    kind: text('kind').notNull(),
    status: text('status', { enum: REWARD_STATUSES }).notNull(),
    trigger: text('trigger').notNull(),
    businessEventId: text('business_event_id'),
    // `referral:rule:occurrence` — the unique business key that makes every reward exactly-once.
    idempotencyKey: text('idempotency_key').notNull().unique(),
    holdUntil: tstz('hold_until'),
    payoutProvider: text('payout_provider'),
    providerReference: text('provider_reference'),
    // The payout settling this reward (set while paying and after); cleared when that payout is cancelled.
    payoutId: text('payout_id'),
    createdAt: tstz('created_at').notNull().defaultNow(),
    updatedAt: tstz('updated_at').notNull().defaultNow(),
  },
  (t) => [
    index('rewards_referral_rule_idx').on(t.referralId, t.ruleId),
    index('rewards_member_rule_idx').on(t.memberId, t.ruleId),
    index('rewards_program_idx').on(t.programId, t.id),
    index('rewards_unpaid_idx').on(t.memberId, t.status, t.payoutId),
  ],
);
