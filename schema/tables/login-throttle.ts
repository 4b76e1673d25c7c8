import { integer, pgTable, text } from 'drizzle-orm/pg-core';
import { tstz } from './columns.js';

/**
 * Failed sign-ins per account (`email:<address>`) and per client (`ip:<address>`). Kept in the
 * database so every hub replica throttles alike and a restart forgets nothing.
 */
export const loginThrottle = pgTable('login_throttle', {
  key: text('key').primaryKey(),
  failures: integer('failures').notNull().default(0),
  blockedUntil: tstz('blocked_until'),
  updatedAt: tstz('updated_at').notNull().defaultNow(),
});
