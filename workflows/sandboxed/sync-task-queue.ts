/**
 * The task queue of connector syncs, scheduled deliveries and HubSpot deal lookups (the work
 * that talks to other systems), next to a lifecycle task queue.
 * Referral lifecycles can pile up by the thousand under a flood of conversions; on a queue of
 * their own they never make a connector or a partner's file wait behind them. Derived from the
 * lifecycle queue, so one setting (TEMPORAL_TASK_QUEUE, or temporal.yaml) names both.
 */
export function syncTaskQueue(lifecycleTaskQueue: string): string {
  return `${lifecycleTaskQueue}-sync`;
}
