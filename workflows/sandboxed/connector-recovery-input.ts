export const CONNECTOR_RECOVERY_WORKFLOW_TYPE = 'connectorRecovery';

/** Derived from the connector and the time asked for, so a double click finds the first one running. */
export const connectorRecoveryWorkflowId = (connectorId: string, since: Date) => `connector-recovery:${connectorId}:${since.toISOString()}`;

export interface ConnectorRecoveryInput {
  recoveryId: string;
  connectorId: string;
}
