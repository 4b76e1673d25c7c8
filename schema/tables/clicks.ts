import { index, pgTable, text } from 'drizzle-orm/pg-core';
import { tstz } from './columns.js';
import { members } from './members.js';
import { programs } from './programs.js';

export const clicks = pgTable(
  'clicks',
  {
    id: text('id').primaryKey(),
    programId: text('program_id')
      .notNull()
      .references(() => programs.id),
    memberId: text('member_id')
      .notNull()
      .references(() => members.id),
    visitorId: text('visitor_id').notNull(),
    // Salted hash only: raw IPs are personal data we do not need.
    ipHash: text('ip_hash'),
    userAgent: text('user_agent'),
    landingUrl: text('landing_url').notNull(),
    createdAt: tstz('created_at').notNull().defaultNow(),
  },
  (t) => [index('clicks_visitor_idx').on(t.programId, t.visitorId, t.createdAt)],
);
