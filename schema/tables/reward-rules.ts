import { boolean, index, integer, jsonb, pgTable, text } from 'drizzle-orm/pg-core';
import { tstz } from './columns.js';
import { programs } from './programs.js';

export interface RuleAmount {
  type: 'fixed' | 'percent';
  value: number;
  cap?: number;
}
export interface RuleLimits {
  maxPerReferral?: number;
  maxPerMember?: number;
  window?: string;
}

export const rewardRules = pgTable(
  'reward_rules',
  {
    id: text('id').primaryKey(),
    programId: text('program_id')
      .notNull()
      .references(() => programs.id),
    position: integer('position').notNull(),
    name: text('name').notNull(),
    trigger: text('trigger').notNull(),
    recipient: text('recipient', { enum: ['member', 'referral'] }).notNull(),
    amount: jsonb('amount').$type<RuleAmount>().notNull(),
    kind: text('kind', { enum: ['cash', 'gift_card', 'credit', 'coupon', 'points'] }).notNull(),
    limits: jsonb('limits').$type<RuleLimits>().notNull().default({}),
    hold: text('hold'),
    approval: text('approval', { enum: ['auto', 'manual'] })
      .notNull()
      .default('auto'),
    active: boolean('active').notNull().default(true),
    createdAt: tstz('created_at').notNull().defaultNow(),
  },
  (t) => [index('reward_rules_program_idx').on(t.programId, t.position)],
);
