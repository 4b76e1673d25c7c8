import { integer, jsonb, pgTable, text } from 'drizzle-orm/pg-core';
import { tstz } from './columns.js';

/** How members share and how browsers may record conversions (see the share settings contract). */
export interface ShareSettings {
  /** Hostnames whose pages may call the public tracking endpoints: exact, or `*.domain` for its subdomains. */
  allowedHostnames?: string[];
  /** Browser conversions are refused unless turned on. */
  webConversions?: boolean;
  /** Query parameter carrying the referral code on landing pages (default `ref`). */
  refParam?: string;
  attribution?: 'last_click' | 'first_click';
  offer?: { headline?: string; friendOffer?: string; description?: string };
  /** The `email` connector invites, welcome emails and portal sign-in links go through. */
  emailConnectorId?: string | null;
  /** Invites one member may send per day. */
  invitesPerMemberPerDay?: number;
}

/** Who becomes a member on their own activity (event-based enrolment). */
export interface EnrolmentSettings {
  /** Customer event types that enrol a non-member. */
  on?: string[];
  sendWelcome?: boolean;
  /** A reminder once, this long after the welcome, when the new member's link got no click (e.g. `17d`). */
  reminderAfter?: string | null;
}

/** How a program pays its approved rewards; every field has a default (see payoutSettingsOf). */
export interface PayoutSettings {
  /** A member's approved unpaid total (per currency and kind) must reach this before a payout is made; 0 pays each reward. */
  minimumAmount?: number;
  /** false: payouts wait in `pending` until someone sends them. */
  autoPay?: boolean;
  /** Most one member may be paid per currency in 24 hours; a payout above it waits for a person. */
  dailyCapPerMember?: number | null;
}

export const programs = pgTable('programs', {
  id: text('id').primaryKey(),
  slug: text('slug').notNull().unique(),
  name: text('name').notNull(),
  landingUrl: text('landing_url').notNull(),
  cookieDays: integer('cookie_days').notNull().default(30),
  status: text('status', { enum: ['active', 'paused', 'archived'] })
    .notNull()
    .default('active'),
  currency: text('currency').notNull().default('USD'),
  payouts: jsonb('payouts').$type<PayoutSettings>().notNull().default({}),
  share: jsonb('share').$type<ShareSettings>().notNull().default({}),
  enrolment: jsonb('enrolment').$type<EnrolmentSettings>().notNull().default({}),
  // `rh_pk_…`: names the program to its browser script and public tracking endpoints; reads nothing. Rotatable.
  publishableKey: text('publishable_key').unique(),
  createdAt: tstz('created_at').notNull().defaultNow(),
  updatedAt: tstz('updated_at').notNull().defaultNow(),
});
