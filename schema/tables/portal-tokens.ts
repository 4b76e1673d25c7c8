import { index, pgTable, text } from 'drizzle-orm/pg-core';
import { tstz } from './columns.js';
import { members } from './members.js';
import { programs } from './programs.js';

/** Single-use magic links into the member portal: only a hash is kept; valid for minutes. */
export const portalTokens = pgTable(
  'portal_tokens',
  {
    id: text('id').primaryKey(),
    programId: text('program_id')
      .notNull()
      .references(() => programs.id),
    memberId: text('member_id')
      .notNull()
      .references(() => members.id),
    tokenHash: text('token_hash').notNull().unique(),
    expiresAt: tstz('expires_at').notNull(),
    usedAt: tstz('used_at'),
    createdAt: tstz('created_at').notNull().defaultNow(),
  },
  (t) => [index('portal_tokens_member_idx').on(t.memberId, t.createdAt)],
);
