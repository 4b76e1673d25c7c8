import { sql } from 'drizzle-orm';
import { bigint, index, integer, jsonb, pgTable, text } from 'drizzle-orm/pg-core';
import { tstz } from './columns.js';

/**
 * Work accepted by the hub that still has to reach Temporal. Written in the same transaction
 * as the fact; dispatched (signalWithStart) after commit, and swept again if that failed, so
 * nothing accepted is lost while Temporal is down (DESIGN §7 "Inbox dispatch").
 */
export const inbox = pgTable('inbox', {
  seq: bigint('seq', { mode: 'number' }).primaryKey().generatedAlwaysAsIdentity(),
  workflowId: text('workflow_id').notNull(),
  workflowType: text('workflow_type').notNull(),
  workflowArgs: jsonb('workflow_args').$type<unknown[]>().notNull(),
  signal: text('signal').notNull(),
  signalArgs: jsonb('signal_args').$type<unknown[]>().notNull(),
  attempts: integer('attempts').notNull().default(0),
  lastError: text('last_error'),
  createdAt: tstz('created_at').notNull().defaultNow(),
  dispatchedAt: tstz('dispatched_at'),
}, (t) => [
  index('inbox_workflow_idx').on(t.workflowId, t.seq),
  // The sweeper only ever looks at rows not yet dispatched.
  index('inbox_undispatched_idx').on(t.seq).where(sql`dispatched_at is null`),
]);
