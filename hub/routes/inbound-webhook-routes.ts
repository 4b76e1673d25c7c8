import { createRoute, type OpenAPIHono } from '@hono/zod-openapi';
import { z } from 'zod';
import { INBOUND_SIGNATURE_HEADERS, LEGACY_SIGNATURE_HEADER } from '../../connectors/inbound/verify-inbound-signature.js';
import { memberSchema } from '../contracts/member-contract.js';
import { referralSchema } from '../contracts/referral-contract.js';
import { ApiError, errorEnvelopeSchema } from '../http/api-error.js';
import type { HubEnv } from '../http/hub-env.js';
import { jsonContent, ok } from '../http/openapi-parts.js';
import type { HubDeps } from '../services/hub-deps.js';
import { createHubSpotWebhookService } from '../services/hubspot-webhook-service.js';
import { createInboundWebhookService } from '../services/inbound-webhook-service.js';
import { createStripeWebhookService } from '../services/stripe-webhook-service.js';

const tags = ['Inbound webhooks'];
const errors = (...statuses: number[]) =>
  Object.fromEntries(statuses.map((s) => [s, { description: 'Error', content: jsonContent(errorEnvelopeSchema) }]));

/**
 * Inbound webhooks: no API key — the connector's token, Stripe's or HubSpot's
 * signature is the credential. Each reads the raw body once (signatures cover the exact bytes),
 * then goes through the same services as the API and answers at once.
 */
export function registerInboundWebhookRoutes(app: OpenAPIHono<HubEnv>, deps: HubDeps) {
  const inbound = createInboundWebhookService(deps);
  const stripe = deps.stripeWebhookSecret ? createStripeWebhookService(deps, deps.stripeWebhookSecret) : undefined;
  const hubspot = deps.hubspotAppSecret
    ? createHubSpotWebhookService(deps, deps.hubspotAppSecret, {
        qualified: deps.hubspotQualifiedStages ?? [],
        approved: deps.hubspotApprovedStages ?? [],
      })
    : undefined;
  const notEnabled = (name: string, variable: string) =>
    new ApiError('not_found', `${name} webhooks are not enabled on this hub (${variable})`);

  app.openapi(
    createRoute({
      method: 'post',
      path: '/webhooks/in/{token}',
      tags,
      summary: 'Post a body to an inbound connector: its mapping creates a member, a conversion or a business event',
      description:
        'JSON (or a form post). The token in the URL is the credential; a connector with a signing secret also needs the Standard Webhooks ' +
        'headers `webhook-id`, `webhook-timestamp` (Unix seconds, within 5 minutes) and `webhook-signature: v1,<base64 HMAC-SHA256 of "<id>.<timestamp>.<raw body>">`.',
      request: { params: z.object({ token: z.string().max(200) }) },
      responses: {
        201: ok(z.union([memberSchema, referralSchema]), 'Member or referral created'),
        200: ok(z.union([memberSchema, referralSchema]), 'The program already had this member or referral'),
        202: ok(z.object({ eventId: z.string() }), 'Business event accepted'),
        ...errors(400, 401, 404, 413, 422),
      },
    }),
    async (c) => {
      const answer = await inbound.receive(c.req.valid('param').token, {
        rawBody: await c.req.text(),
        contentType: c.req.header('content-type'),
        signature: {
          id: c.req.header(INBOUND_SIGNATURE_HEADERS.id),
          timestamp: c.req.header(INBOUND_SIGNATURE_HEADERS.timestamp),
          signature: c.req.header(INBOUND_SIGNATURE_HEADERS.signature),
          legacy: c.req.header(LEGACY_SIGNATURE_HEADER),
        },
      });
      return c.json(answer.body as never, answer.status);
    },
  );

  app.openapi(
    createRoute({
      method: 'post',
      path: '/webhooks/stripe',
      tags,
      summary: 'Stripe events: invoice.paid → purchase / subscription_renewed, charge.refunded → refund',
      description: 'Verified with STRIPE_WEBHOOK_SECRET (Stripe-Signature, 5-minute tolerance); 404 when it is not set.',
      responses: {
        200: ok(
          z.union([
            z.object({ received: z.literal(true), eventId: z.string(), duplicate: z.boolean() }),
            z.object({ ignored: z.literal(true), reason: z.string() }),
          ]),
          'Recorded, or acknowledged and ignored',
        ),
        ...errors(400, 401, 404, 413, 422),
      },
    }),
    async (c) => {
      if (!stripe) throw notEnabled('Stripe', 'STRIPE_WEBHOOK_SECRET');
      return c.json(await stripe.receive(await c.req.text(), c.req.header('stripe-signature')), 200);
    },
  );

  app.openapi(
    createRoute({
      method: 'post',
      path: '/webhooks/hubspot',
      tags,
      summary: 'HubSpot deal stage changes → referral qualified / approved',
      description: 'Verified with HUBSPOT_APP_SECRET (X-HubSpot-Signature-v3 over HUB_PUBLIC_URL + path); 404 when it is not set.',
      responses: {
        200: ok(
          z.object({
            results: z.array(
              z.object({
                eventId: z.string().nullable(),
                outcome: z.enum(['updated', 'ignored', 'queued']),
                referralId: z.string().optional(),
                status: z.string().optional(),
                reason: z.string().optional(),
                dealId: z.string().optional(),
              }),
            ),
          }),
          'One outcome per event',
        ),
        ...errors(400, 401, 404, 413, 422, 503),
      },
    }),
    async (c) => {
      if (!hubspot) throw notEnabled('HubSpot', 'HUBSPOT_APP_SECRET');
      const url = new URL(c.req.url);
      // HubSpot signs the URL it called: the public one, whatever proxy sits in front of us.
      return c.json(
        await hubspot.receive({
          method: c.req.method,
          url: `${deps.publicUrl}${url.pathname}${url.search}`,
          rawBody: await c.req.text(),
          signature: c.req.header('x-hubspot-signature-v3'),
          timestamp: c.req.header('x-hubspot-request-timestamp'),
        }),
        200,
      );
    },
  );
}
