import type { ReferralSignal } from '../sandboxed/referral-signal.js';

/** The event-log columns the dispatcher reads (not the whole payload). */
export interface DispatchableEvent {
  type: string;
  subjectId: string;
  /** payload.id: the business event id for `referral.activity`. */
  payloadId: string | null;
  /** payload.status for referral events. */
  status: string | null;
}

/** Event types that drive a referral's workflow. */
export const LIFECYCLE_EVENT_TYPES = ['referral.created', 'referral.status_changed', 'referral.activity'];

const OPEN = ['pending', 'qualified', 'approved'] as const;
type Open = (typeof OPEN)[number];
const isOpen = (s: string | null): s is Open => OPEN.includes(s as Open);

/** What the referral's workflow must hear about an event-log row, if anything. */
export function referralSignalForEvent(e: DispatchableEvent): { referralId: string; signal: ReferralSignal } | undefined {
  const referralId = e.subjectId;
  if (e.type === 'referral.created' && isOpen(e.status)) return { referralId, signal: { kind: 'converted', status: e.status } };
  if (e.type === 'referral.status_changed' && (isOpen(e.status) || e.status === 'denied')) {
    return { referralId, signal: { kind: 'status', status: e.status } };
  }
  if (e.type === 'referral.activity' && e.payloadId) return { referralId, signal: { kind: 'business', eventId: e.payloadId } };
  return undefined;
}
