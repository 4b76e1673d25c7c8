import { sql } from 'drizzle-orm';
import { bigint, index, jsonb, pgTable, text } from 'drizzle-orm/pg-core';
import { tstz, xid8 } from './columns.js';

export interface EventActor {
  type: 'user' | 'api_key';
  id: string;
  /** The user's email or the key's name, as it was when the change was made. */
  name: string;
}

/**
 * The event log and transactional outbox: one row per change, written in the same
 * transaction as the change. Readers page by (txid, seq) below the snapshot xmin.
 */
export const events = pgTable(
  'events',
  {
    seq: bigint('seq', { mode: 'number' }).primaryKey().generatedAlwaysAsIdentity(),
    txid: xid8('txid')
      .notNull()
      .default(sql`pg_current_xact_id()`),
    id: text('id').notNull().unique(),
    type: text('type').notNull(),
    programId: text('program_id'),
    subjectId: text('subject_id').notNull(),
    payload: jsonb('payload').$type<Record<string, unknown>>().notNull(),
    // Who made the change: a console user or an API key; null for the engine's own changes.
    actor: jsonb('actor').$type<EventActor>(),
    createdAt: tstz('created_at').notNull().defaultNow(),
  },
  (t) => [index('events_txid_seq_idx').on(t.txid, t.seq), index('events_type_created_idx').on(t.type, t.createdAt)],
);
