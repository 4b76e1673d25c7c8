import { and, eq } from 'drizzle-orm';
import { INBOUND_KIND } from '../../connectors/inbound/inbound-kind.js';
import { inboundSignatureProblem, type InboundSignatureHeaders } from '../../connectors/inbound/verify-inbound-signature.js';
import { compileMapping } from '../../connectors/mapping/apply-mapping.js';
import type { MappingEntry } from '../../connectors/mapping/mapping-entry-schema.js';
import { connectors } from '../../schema/tables/index.js';
import { openSecrets } from '../../workflows/activities/open-connector.js';
import { inboundSettingsSchema } from '../contracts/inbound-connector-contract.js';
import { ApiError } from '../http/api-error.js';
import type { Principal } from '../http/hub-env.js';
import { createBusinessEventService } from './business-event-service.js';
import type { HubDeps } from './hub-deps.js';
import { inboundInput } from './inbound-input.js';
import { createInboundRequestLog } from './inbound-request-log.js';
import { createMemberService } from './member-service.js';
import { createReferralService } from './referral-service.js';
import { createWebhookIdGuard } from './webhook-id-guard.js';

/** What a caller of `POST /webhooks/in/:token` sends, as received. */
export interface InboundRequest {
  rawBody: string;
  contentType?: string;
  signature: InboundSignatureHeaders;
}

export type InboundAnswer =
  { status: 200 | 201; body: { id: string } & Record<string, unknown> } | { status: 202; body: { eventId: string } };

// inboundToken() makes 43 base64url characters; anything else cannot match and skips the lookup.
const TOKEN = /^[A-Za-z0-9_-]{43,128}$/;

/** The body as the sender meant it: JSON, or a form post (Zapier's default payload type). */
function parseBody(rawBody: string, contentType: string | undefined): unknown {
  if (contentType?.toLowerCase().startsWith('application/x-www-form-urlencoded')) {
    return Object.fromEntries(new URLSearchParams(rawBody));
  }
  try {
    return JSON.parse(rawBody);
  } catch {
    throw new ApiError('malformed_json', 'The request body is not valid JSON');
  }
}

/**
 * `POST /webhooks/in/:token`: the token names an enabled inbound connector and is its
 * credential; its optional signing secret adds HMAC verification. The mapped body goes through
 * the same services as the API, as a principal limited to the connector's program.
 */
export function createInboundWebhookService(deps: HubDeps) {
  const members = createMemberService(deps.db, deps.publicUrl);
  const referrals = createReferralService(deps.db, deps.sql, deps.dispatcher);
  const events = createBusinessEventService(deps.db, deps.dispatcher);
  const requests = createInboundRequestLog(deps.sql, deps.logger);
  const webhookIds = createWebhookIdGuard(deps.sql);

  return {
    async receive(token: string, request: InboundRequest): Promise<InboundAnswer> {
      const [row] = TOKEN.test(token)
        ? await deps.db
            .select()
            .from(connectors)
            .where(and(eq(connectors.inboundToken, token), eq(connectors.kind, INBOUND_KIND)))
        : [];
      // A disabled connector looks exactly like an unknown one: the sender learns nothing.
      if (!row || !row.enabled) throw new ApiError('not_found', 'No inbound webhook at this URL');

      const { signingSecret } = openSecrets(deps.secretBox, row) as { signingSecret?: string };
      const problem = signingSecret ? inboundSignatureProblem(request.rawBody, request.signature, signingSecret) : undefined;
      if (problem) throw new ApiError('unauthorized', problem);

      const entry = { source: 'inbound' as const, connectorId: row.id, contentType: request.contentType, rawBody: request.rawBody };
      const accept = async (): Promise<InboundAnswer> => {
        const body = parseBody(request.rawBody, request.contentType);
        const settings = inboundSettingsSchema.parse(row.settings);
        const mapped = compileMapping(row.mapping as MappingEntry[])({ body });
        const built = inboundInput(settings.action, settings.programId, mapped);
        const principal: Principal = { id: `connector:${row.id}`, name: row.name, scopes: ['write'], programIds: [settings.programId] };

        let answer: InboundAnswer;
        if (built.action === 'member') {
          const { created, member } = await members.create(principal, built.input);
          answer = { status: created ? 201 : 200, body: member };
        } else if (built.action === 'conversion') {
          const { created, referral } = await referrals.convert(principal, built.input);
          answer = { status: created ? 201 : 200, body: referral };
        } else {
          answer = { status: 202, body: { eventId: (await events.record(principal, built.input)).eventId } };
        }
        // No body in the log: it is the sender's data (emails, names); the created id leads to it.
        deps.logger.info(
          {
            connectorId: row.id,
            action: settings.action,
            status: answer.status,
            bytes: Buffer.byteLength(request.rawBody),
            id: answer.status === 202 ? answer.body.eventId : answer.body.id,
          },
          'inbound webhook accepted',
        );
        return answer;
      };
      // A sender's retry (or a replay inside the signature's five minutes) with the same webhook-id gets the first answer.
      const { id: webhookId } = request.signature;
      // (An id longer than any sender's is not one to remember: unsigned requests are not length-checked.)
      const once = () => (webhookId && webhookId.length <= 256 ? webhookIds.once(row.id, webhookId, request.rawBody, accept) : accept());
      return requests.handle(entry, (a: InboundAnswer) => a, once);
    },
  };
}
