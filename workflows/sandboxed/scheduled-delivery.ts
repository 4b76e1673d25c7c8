import { proxyActivities } from '@temporalio/workflow';
import type { DeliveryActivities } from '../activities/create-delivery-activities.js';
import { DELIVERY_ATTEMPTS } from './delivery-attempts.js';

const acts = proxyActivities<DeliveryActivities>({
  startToCloseTimeout: '15m',
  // A worker that dies mid-delivery is noticed after this, not after the 15 minutes above.
  heartbeatTimeout: '10s',
  retry: { initialInterval: '2s', backoffCoefficient: 2, maximumInterval: '2m', maximumAttempts: DELIVERY_ATTEMPTS },
});

export const SCHEDULED_DELIVERY_WORKFLOW_TYPE = 'scheduledDelivery';

export interface ScheduledDeliveryInput {
  scheduleId: string;
  /** Set by "run now" and "redeliver" (the hub allocated or chose the run); absent for scheduled runs. */
  runId?: string;
}

/**
 * Started by the schedule's Temporal Schedule (or by run-now / redeliver): takes the next record
 * range (or the failed run to retry), renders the CSV and delivers it. A failed attempt is
 * retried with the same range and file name; if every attempt fails the run stays `failed` and
 * the next scheduled run retries it before taking a new range.
 */
export async function scheduledDelivery(
  input: ScheduledDeliveryInput,
): Promise<{ runId: string; status: string; recordCount: number } | null> {
  const run = await acts.beginRun(input);
  if (!run) return null;
  const result = await acts.deliverRun({ runId: run.runId });
  return { runId: run.runId, status: result.status, recordCount: result.recordCount };
}
