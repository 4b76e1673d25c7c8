import { index, integer, numeric, pgTable, text } from 'drizzle-orm/pg-core';
import { tstz } from './columns.js';
import { members } from './members.js';
import { programs } from './programs.js';
import { referrals } from './referrals.js';

export const PAYOUT_STATUSES = ['pending', 'waiting_provider', 'sending', 'sent', 'paid', 'unclaimed', 'failed', 'cancelled'] as const;
export type PayoutStatus = (typeof PAYOUT_STATUSES)[number];

/** Why a payout waits for a person's `send` instead of going out on its own. */
export const PAYOUT_HOLD_REASONS = ['auto_pay_off', 'daily_cap'] as const;
export type PayoutHoldReason = (typeof PAYOUT_HOLD_REASONS)[number];

/**
 * One amount paid to one member through one payout connector, settling one or more of their
 * approved rewards. Its id is the provider's idempotency key on every attempt, so it never
 * changes once created; workflow `payout:<id>` owns what happens to it.
 */
export const payouts = pgTable(
  'payouts',
  {
    id: text('id').primaryKey(),
    programId: text('program_id')
      .notNull()
      .references(() => programs.id),
    memberId: text('member_id')
      .notNull()
      .references(() => members.id),
    // Set when the rewards are for the referred person (rule recipient `referral`), who is paid instead of the member.
    recipientReferralId: text('recipient_referral_id').references(() => referrals.id),
    // No foreign key: a payout's history outlives a deleted connector.
    connectorId: text('connector_id'),
    provider: text('provider'),
    amount: numeric('amount', { precision: 18, scale: 4, mode: 'number' }).notNull(),
    currency: text('currency').notNull(),
    rewardKind: text('reward_kind').notNull(),
    rewardIds: text('reward_ids').array().notNull(),
    status: text('status', { enum: PAYOUT_STATUSES }).notNull(),
    holdReason: text('hold_reason', { enum: PAYOUT_HOLD_REASONS }),
    providerReference: text('provider_reference'),
    failureReason: text('failure_reason'),
    failureCode: text('failure_code'),
    // Sends asked for (the first, then each retry); every one uses the same idempotency key.
    attempts: integer('attempts').notNull().default(0),
    sentAt: tstz('sent_at'),
    paidAt: tstz('paid_at'),
    createdAt: tstz('created_at').notNull().defaultNow(),
    updatedAt: tstz('updated_at').notNull().defaultNow(),
  },
  (t) => [
    index('payouts_program_idx').on(t.programId, t.id),
    index('payouts_member_idx').on(t.memberId, t.createdAt),
    index('payouts_status_idx').on(t.status),
  ],
);
