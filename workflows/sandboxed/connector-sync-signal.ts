import { defineSignal } from '@temporalio/workflow';

/**
 * Why a sync is woken: `events` (new events were committed) or `config` (its configuration
 * changed, or someone asked for a retry, replay or recovery). A signal without a reason is `config`.
 */
export type WakeReason = 'events' | 'config';

/** "Something changed": new events were committed, or the connector's configuration changed. */
export const connectorWakeSignal = defineSignal<[reason?: WakeReason]>('connectorWake');

export const CONNECTOR_SYNC_WORKFLOW_TYPE = 'connectorSync';

export const connectorSyncWorkflowId = (connectorId: string) => `connector-sync:${connectorId}`;

export interface ConnectorSyncInput {
  connectorId: string;
  /** Waits between failed attempts, in ms (a Svix-like schedule by default; tests pass seconds). */
  backoffMs: number[];
  /** Consecutive failed attempts after which the connector is disabled. */
  disableAfter: number;
}
