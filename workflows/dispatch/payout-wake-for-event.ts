import type { DispatchableEvent } from './referral-signal-for-event.js';

/** Payout events the dispatcher hands to payout workflows. */
export const PAYOUT_EVENT_TYPES = ['payout.created', 'payout.updated'];

// Statuses a payout's workflow must act on: send it, wait for a provider, or stop waiting.
const WAKE_ON_CREATED = ['sending', 'waiting_provider'];
const WAKE_ON_UPDATED = ['sending', 'waiting_provider', 'cancelled'];

/** Which payout workflow an event-log row must wake, if any. */
export function payoutWakeForEvent(e: DispatchableEvent): { payoutId: string; reason: 'created' | 'updated' } | undefined {
  if (e.type === 'payout.created' && WAKE_ON_CREATED.includes(e.status ?? '')) return { payoutId: e.subjectId, reason: 'created' };
  if (e.type === 'payout.updated' && WAKE_ON_UPDATED.includes(e.status ?? '')) return { payoutId: e.subjectId, reason: 'updated' };
  return undefined;
}
