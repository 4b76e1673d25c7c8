// Shared by the hub (which wakes payouts) and the workflow. Types and the signal only, so it is
// safe inside the workflow sandbox.
import { defineSignal } from '@temporalio/workflow';

/** Why a payout workflow was woken; it re-reads the payout either way. */
export type PayoutWakeReason = 'created' | 'updated' | 'provider_available';

export const payoutWakeSignal = defineSignal<[PayoutWakeReason]>('payoutWake');

export const PAYOUT_WORKFLOW_TYPE = 'payout';

export const payoutWorkflowId = (payoutId: string) => `payout:${payoutId}`;

export interface PayoutInput {
  payoutId: string;
}
