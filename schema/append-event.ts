import { newId } from '../lib/ids.js';
import { currentActor } from '../lib/actor-context.js';
import type { Db } from './db.js';
import { events } from './tables/index.js';

export const EVENT_TYPES = [
  'member.created',
  'member.updated',
  'member.deleted',
  'referral.created',
  'referral.status_changed',
  'referral.activity',
  'reward.created',
  'reward.approved',
  'reward.denied',
  'reward.paid',
  'reward.failed',
  'reward.cancelled',
  'payout.created',
  'payout.updated',
  'payout.paid',
  'payout.failed',
  'connector.failing',
  'connector.disabled',
] as const;
export type EventType = (typeof EVENT_TYPES)[number];

type Tx = Pick<Db, 'insert'>;

/**
 * Writes one event-log row. Call it inside the transaction that makes the change, so the log
 * (our outbox) and the data can never disagree. The actor is whoever the current request runs for
 * (a console user or an API key), none for the engine's own changes.
 */
export async function appendEvent(
  tx: Tx,
  e: { type: EventType; programId: string | null; subjectId: string; payload: Record<string, unknown> },
): Promise<string> {
  const id = newId('evt');
  await tx
    .insert(events)
    .values({ id, type: e.type, programId: e.programId, subjectId: e.subjectId, payload: e.payload, actor: currentActor() ?? null });
  return id;
}
