import { index, jsonb, pgTable, text } from 'drizzle-orm/pg-core';
import { tstz } from './columns.js';
import { members } from './members.js';
import { programs } from './programs.js';

export const SHARE_EMAIL_KINDS = ['invite', 'welcome', 'reminder', 'login'] as const;
export type ShareEmailKind = (typeof SHARE_EMAIL_KINDS)[number];
// `queued`: accepted and waiting for its send (a workflow owns it); the others are final.
export const SHARE_EMAIL_STATUSES = ['queued', 'sent', 'skipped', 'failed'] as const;
export const SHARE_EMAIL_SKIP_REASONS = [
  'already_invited',
  'suppressed',
  'is_member',
  'invalid',
  'daily_limit',
  'no_email_connector',
  'member_deleted',
] as const;
// A `failed` row says why in `reason` (`send_failed`, `no_email_connector`) and `details.error`.

/**
 * Every email the share lifecycle sent or decided not to send (invites, welcome emails,
 * reminders, portal sign-in links), with why: the 60-day invite rule and the per-member daily
 * limit are read from here, and a retried send finds its row by `idempotencyKey`.
 */
export const shareEmails = pgTable(
  'share_emails',
  {
    id: text('id').primaryKey(),
    programId: text('program_id')
      .notNull()
      .references(() => programs.id),
    // The member it is from (invites) or for (welcome, reminder, login).
    memberId: text('member_id').references(() => members.id),
    // Lower-cased recipient.
    email: text('email').notNull(),
    kind: text('kind', { enum: SHARE_EMAIL_KINDS }).notNull(),
    status: text('status', { enum: SHARE_EMAIL_STATUSES }).notNull(),
    reason: text('reason'),
    idempotencyKey: text('idempotency_key').unique(),
    details: jsonb('details').$type<Record<string, unknown>>(),
    createdAt: tstz('created_at').notNull().defaultNow(),
  },
  (t) => [
    index('share_emails_program_email_idx').on(t.programId, t.email, t.createdAt),
    index('share_emails_member_idx').on(t.memberId, t.createdAt),
  ],
);
