import { defineSignal } from '@temporalio/workflow';

/** "Something changed": new events were committed, or the connector's configuration changed. */
export const connectorWakeSignal = defineSignal('connectorWake');

export const CONNECTOR_SYNC_WORKFLOW_TYPE = 'connectorSync';

export const connectorSyncWorkflowId = (connectorId: string) => `connector-sync:${connectorId}`;

export interface ConnectorSyncInput {
  connectorId: string;
  /** Waits between failed attempts, in ms (a Svix-like schedule by default; tests pass seconds). */
  backoffMs: number[];
  /** Consecutive failed attempts after which the connector is disabled. */
  disableAfter: number;
}
