import { pgTable, text, uniqueIndex } from 'drizzle-orm/pg-core';
import { sql } from 'drizzle-orm';
import { tstz } from './columns.js';

export const USER_ROLES = ['admin', 'editor', 'viewer'] as const;
export type UserRole = (typeof USER_ROLES)[number];

/**
 * People who sign in to the ops console. `admin` manages users and API keys too, `editor`
 * changes everything else, `viewer` only reads. `programIds` limits a user to some programs
 * exactly as it limits an API key (empty means every program).
 */
export const users = pgTable(
  'users',
  {
    id: text('id').primaryKey(),
    email: text('email').notNull(),
    name: text('name').notNull().default(''),
    role: text('role').$type<UserRole>().notNull(),
    programIds: text('program_ids').array().notNull().default([]),
    // `scrypt$N$r$p$salt$hash` (base64url); null until the user has set a password.
    passwordHash: text('password_hash'),
    lastSignInAt: tstz('last_sign_in_at'),
    createdAt: tstz('created_at').notNull().defaultNow(),
    updatedAt: tstz('updated_at').notNull().defaultNow(),
  },
  (t) => [uniqueIndex('users_email_idx').on(sql`lower(${t.email})`)],
);
