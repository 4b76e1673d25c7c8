import { WorkflowExecutionAlreadyStartedError } from '@temporalio/client';
import { z } from 'zod';
import { HubSpotSignatureError, verifyHubSpotSignature } from '../../connectors/hubspot/verify-hubspot-signature.js';
import type { ReferralStatus } from '../../schema/tables/index.js';
import { ApiError, issuesToDetails } from '../http/api-error.js';
import { findWebhookReferral } from '../../schema/find-webhook-referral.js';
import { createInboundRequestLog } from './inbound-request-log.js';
import type { HubDeps } from './hub-deps.js';
import { createReferralService } from './referral-service.js';
import {
  HUBSPOT_DEAL_STAGE_WORKFLOW_TYPE,
  hubspotDealStageWorkflowId,
  type hubspotDealStage,
} from '../../workflows/sandboxed/hubspot-deal-stage.js';
import { syncTaskQueue } from '../../workflows/sandboxed/sync-task-queue.js';

// https://developers.hubspot.com/docs/api-reference/webhooks-webhooks-v3/guide#webhook-payloads
// `properties` is not part of HubSpot's payload: the stock event carries only the deal id (its
// contact is then looked up in HubSpot); a relay of your own may add the contact's email or our
// referral id to skip that lookup.
const subscriptionEventSchema = z.looseObject({
  eventId: z.union([z.number(), z.string()]).optional(),
  subscriptionType: z.string(),
  objectId: z.union([z.number(), z.string()]).optional(),
  propertyName: z.string().optional(),
  propertyValue: z.union([z.string(), z.number()]).transform(String).optional(),
  properties: z.looseObject({ email: z.string().optional(), referralId: z.string().optional() }).nullish(),
});

// HubSpot batches up to 100 events per request.
const batchSchema = z.array(subscriptionEventSchema).max(1000);

export interface HubSpotStages {
  qualified: readonly string[];
  approved: readonly string[];
}

export interface HubSpotEventOutcome {
  eventId: string | null;
  /** `queued`: the event names only the deal; a workflow looks its contact up in HubSpot. */
  outcome: 'updated' | 'ignored' | 'queued';
  referralId?: string;
  status?: ReferralStatus;
  reason?: string;
  dealId?: string;
}

/**
 * `POST /webhooks/hubspot`: verifies HubSpot's v3 signature, then moves the referral of each
 * `deal.propertyChange` of `dealstage` to `qualified` or `approved` when the new stage is one of
 * the configured ids. Every event gets an outcome; anything not applicable is ignored, not an
 * error, because HubSpot would retry the whole batch for a 4xx/5xx.
 */
export function createHubSpotWebhookService(deps: HubDeps, appSecret: string, stages: HubSpotStages) {
  const referrals = createReferralService(deps.db, deps.sql, deps.dispatcher);
  const requests = createInboundRequestLog(deps.sql, deps.logger);

  /**
   * HubSpot's own deal webhooks carry only the deal id: the deal's contact is looked up in
   * HubSpot by a workflow (never in this request). One workflow per event, so HubSpot's
   * retries of a delivery start nothing twice.
   */
  async function queue(eventId: string | null, dealId: string, status: ReferralStatus): Promise<HubSpotEventOutcome> {
    const temporal = deps.temporal;
    if (!temporal) return { eventId, outcome: 'ignored', reason: 'this hub has no Temporal client to look the deal up with', dealId };
    try {
      await temporal.client.workflow.start<typeof hubspotDealStage>(HUBSPOT_DEAL_STAGE_WORKFLOW_TYPE, {
        workflowId: hubspotDealStageWorkflowId(eventId ?? `${dealId}:${status}`),
        taskQueue: syncTaskQueue(temporal.taskQueue),
        args: [{ dealId, status }],
        workflowIdReusePolicy: 'REJECT_DUPLICATE',
      });
    } catch (err) {
      if (!(err instanceof WorkflowExecutionAlreadyStartedError)) {
        deps.logger.warn({ dealId, err: String(err) }, 'could not queue the hubspot deal lookup');
        // A 5xx makes HubSpot deliver the batch again; the events already applied are idempotent.
        throw new ApiError('unavailable', 'Temporal is unreachable; try again shortly');
      }
    }
    return { eventId, outcome: 'queued', dealId, status };
  }

  async function apply(event: z.infer<typeof subscriptionEventSchema>): Promise<HubSpotEventOutcome> {
    const eventId = event.eventId === undefined ? null : String(event.eventId);
    const ignored = (reason: string): HubSpotEventOutcome => ({ eventId, outcome: 'ignored', reason });
    if (event.subscriptionType !== 'deal.propertyChange' || event.propertyName !== 'dealstage') return ignored('not a deal stage change');
    const stage = event.propertyValue ?? '';
    const status: ReferralStatus | undefined = stages.approved.includes(stage)
      ? 'approved'
      : stages.qualified.includes(stage)
        ? 'qualified'
        : undefined;
    if (!status) return ignored(`stage "${stage}" is not mapped to a referral status`);

    const byProperties = { referralId: event.properties?.referralId, email: event.properties?.email };
    if (!byProperties.referralId && !byProperties.email && event.objectId !== undefined)
      return queue(eventId, String(event.objectId), status);
    const found = await findWebhookReferral(deps.sql, byProperties);
    if ('reason' in found) return ignored(found.reason);
    const { id, programId } = found.referral;
    try {
      await referrals.changeStatus(
        { id: 'webhook:hubspot', name: 'HubSpot webhook', scopes: ['write'], programIds: [programId] },
        id,
        status,
      );
    } catch (err) {
      // A referral already past this stage (or denied) stays as it is.
      if (err instanceof ApiError && err.code === 'validation_failed') return { ...ignored(err.message), referralId: id };
      throw err;
    }
    return { eventId, outcome: 'updated', referralId: id, status };
  }

  return {
    /** `url` is the full URL HubSpot called (the public one): the signature covers it. */
    async receive(request: { method: string; url: string; rawBody: string; signature?: string; timestamp?: string }) {
      try {
        verifyHubSpotSignature(
          { method: request.method, url: request.url, body: request.rawBody, signature: request.signature, timestamp: request.timestamp },
          appSecret,
        );
      } catch (err) {
        if (err instanceof HubSpotSignatureError) throw new ApiError('unauthorized', 'Missing or invalid X-HubSpot-Signature-v3');
        throw err;
      }
      return requests.handle(
        { source: 'hubspot', contentType: 'application/json', rawBody: request.rawBody },
        (body) => ({ status: 200, body }),
        async () => {
          let json: unknown;
          try {
            json = JSON.parse(request.rawBody);
          } catch {
            throw new ApiError('malformed_json', 'The request body is not valid JSON');
          }
          const batch = batchSchema.safeParse(json);
          if (!batch.success)
            throw new ApiError('validation_failed', 'The body is not a batch of HubSpot events', issuesToDetails(batch.error.issues));

          const results: HubSpotEventOutcome[] = [];
          // In order: two stage changes of one deal in a batch must apply as HubSpot made them.
          for (const event of batch.data) results.push(await apply(event));
          const ignored = results.filter((r) => r.outcome === 'ignored');
          if (ignored.length > 0) deps.logger.info({ ignored }, 'hubspot events ignored');
          return { results };
        },
      );
    },
  };
}
