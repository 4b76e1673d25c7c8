import { proxyActivities } from '@temporalio/workflow';
import type { DealStageInput, DealStageOutcome, HubSpotActivities } from '../activities/create-hubspot-activities.js';

const acts = proxyActivities<HubSpotActivities>({
  startToCloseTimeout: '1m',
  // HubSpot may be rate limited or down for a while; the stage change waits for it (429s wait as told).
  retry: { initialInterval: '5s', backoffCoefficient: 2, maximumInterval: '10m', maximumAttempts: 30 },
});

export const HUBSPOT_DEAL_STAGE_WORKFLOW_TYPE = 'hubspotDealStage';

/** One per HubSpot event: a retried webhook delivery finds it already started. */
export const hubspotDealStageWorkflowId = (eventKey: string) => `hubspot-deal-stage:${eventKey}`;

/**
 * A HubSpot deal stage change that names only the deal (the stock webhook): looks up the deal's
 * contacts in HubSpot and moves the referral of the first one that has one. Runs in Temporal
 * because the hub never calls a third party in a request path.
 */
export async function hubspotDealStage(input: DealStageInput): Promise<DealStageOutcome> {
  return acts.applyHubSpotDealStage(input);
}
