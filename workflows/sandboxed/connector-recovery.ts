import { continueAsNew, getExternalWorkflowHandle, proxyActivities, sleep, workflowInfo } from '@temporalio/workflow';
import type { RecoveryActivities, RecoveryProgress } from '../activities/create-recovery-activities.js';
import type { ConnectorRecoveryInput } from './connector-recovery-input.js';
import { connectorSyncWorkflowId, connectorWakeSignal } from './connector-sync-signal.js';

const acts = proxyActivities<RecoveryActivities>({
  startToCloseTimeout: '1m',
  retry: { initialInterval: '1s', maximumInterval: '30s' },
});

// Progress is read often while deliveries go out, and less and less often while none do
// (a disabled connector holds them until it is enabled again).
const POLL_MIN_MS = 1000;
const POLL_MAX_MS = 60_000;

/**
 * One per recovery: queues the connector's failed and dead deliveries since a time on the replay
 * path (the connector's own sync sends them, under its limits), then counts them down until every
 * one has been attempted again, keeping the recovery row's progress current.
 */
export async function connectorRecovery(input: ConnectorRecoveryInput): Promise<RecoveryProgress> {
  const { queued } = await acts.queueRecovery({ recoveryId: input.recoveryId });
  if (queued > 0) {
    // Without this the sync would find them at its next idle check; a sync that is gone finds nothing anyway.
    await getExternalWorkflowHandle(connectorSyncWorkflowId(input.connectorId))
      .signal(connectorWakeSignal)
      .catch(() => undefined);
  }
  let waitMs = POLL_MIN_MS;
  let last = Number.POSITIVE_INFINITY;
  for (;;) {
    const progress = await acts.recoveryProgress({ recoveryId: input.recoveryId });
    if (progress.done) return progress;
    waitMs = progress.remaining < last ? POLL_MIN_MS : Math.min(waitMs * 2, POLL_MAX_MS);
    last = progress.remaining;
    await sleep(waitMs);
    // Queuing is done once per recovery, so a new run only goes on counting.
    if (workflowInfo().continueAsNewSuggested) await continueAsNew<typeof connectorRecovery>(input);
  }
}
