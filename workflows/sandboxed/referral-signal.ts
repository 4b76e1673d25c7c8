// Shared by the hub (which sends) and the workflow (which receives). Types only plus the
// signal definition, so it is safe inside the workflow sandbox.
import { defineSignal } from '@temporalio/workflow';

export type ReferralSignal =
  /** The referral was created, possibly already at a later status (skipped steps fire too). */
  | { kind: 'converted'; status: 'pending' | 'qualified' | 'approved' }
  | { kind: 'status'; status: 'pending' | 'qualified' | 'approved' | 'denied' }
  /** A business event row (purchase, renewal, refund, custom…) was recorded. */
  | { kind: 'business'; eventId: string };

export const referralEventSignal = defineSignal<[ReferralSignal]>('referralEvent');

export const REFERRAL_WORKFLOW_TYPE = 'referralLifecycle';

export const referralWorkflowId = (referralId: string) => `referral:${referralId}`;
