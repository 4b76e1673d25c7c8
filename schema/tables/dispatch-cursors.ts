import { bigint, pgTable, text } from 'drizzle-orm/pg-core';
import { tstz, xid8 } from './columns.js';

/**
 * How far a reader of the event log (the transactional outbox) has got: the dispatcher that
 * hands referral facts to Temporal, and later connector syncs. Advanced only after success.
 */
export const dispatchCursors = pgTable('dispatch_cursors', {
  name: text('name').primaryKey(),
  txid: xid8('txid').notNull(),
  seq: bigint('seq', { mode: 'number' }).notNull(),
  updatedAt: tstz('updated_at').notNull().defaultNow(),
});
