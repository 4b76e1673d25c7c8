import type { Client } from '@temporalio/client';
import type { payout } from '../sandboxed/payout.js';
import { PAYOUT_WORKFLOW_TYPE, payoutWakeSignal, payoutWorkflowId, type PayoutWakeReason } from '../sandboxed/payout-signal.js';
import { syncTaskQueue } from '../sandboxed/sync-task-queue.js';

/**
 * Starts or wakes `payout:<payoutId>` (signalWithStart, so a missing or finished run is started),
 * within a deadline. Payouts talk to providers, like connector syncs: they run on the sync queue.
 */
export function wakePayoutWorkflow(
  client: Client,
  lifecycleTaskQueue: string,
  payoutId: string,
  reason: PayoutWakeReason,
  deadlineMs: number,
): Promise<unknown> {
  return client.connection.withDeadline(Date.now() + deadlineMs, () =>
    client.workflow.signalWithStart<typeof payout, [PayoutWakeReason]>(PAYOUT_WORKFLOW_TYPE, {
      workflowId: payoutWorkflowId(payoutId),
      taskQueue: syncTaskQueue(lifecycleTaskQueue),
      args: [{ payoutId }],
      signal: payoutWakeSignal,
      signalArgs: [reason],
    }),
  );
}
