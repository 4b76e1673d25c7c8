import { index, pgTable, text } from 'drizzle-orm/pg-core';
import { tstz } from './columns.js';
import { users } from './users.js';

/**
 * Signed-in console browsers. The cookie carries a random id (signed); only its SHA-256 is kept
 * here, so a database reader cannot sign in as anyone. A row idle past its limit, or older than
 * the absolute limit, no longer counts; sign-out, a password reset or removing the user delete it.
 */
export const consoleSessions = pgTable(
  'console_sessions',
  {
    idHash: text('id_hash').primaryKey(),
    userId: text('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    // Per-session CSRF secret: every form and htmx request carries a token derived from it.
    csrfSecret: text('csrf_secret').notNull(),
    createdAt: tstz('created_at').notNull().defaultNow(),
    lastSeenAt: tstz('last_seen_at').notNull().defaultNow(),
  },
  (t) => [index('console_sessions_user_idx').on(t.userId)],
);
