import { pgTable, text } from 'drizzle-orm/pg-core';
import { tstz } from './columns.js';

/**
 * One-time links that let someone set a password: the first admin's setup link printed at first
 * start, and reset links from `npm run user -- reset`. Only a hash is kept.
 */
export const setupTokens = pgTable('setup_tokens', {
  tokenHash: text('token_hash').primaryKey(),
  // Null for the first-start link: it creates the first admin.
  userId: text('user_id'),
  expiresAt: tstz('expires_at').notNull(),
  usedAt: tstz('used_at'),
  createdAt: tstz('created_at').notNull().defaultNow(),
});
