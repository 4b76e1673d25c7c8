import { ZodError } from 'zod';
import { stripeEventToBusinessEvent } from '../../connectors/stripe/stripe-event-to-business-event.js';
import { StripeSignatureError, verifyStripeSignature } from '../../connectors/stripe/verify-stripe-signature.js';
import { ApiError, issuesToDetails } from '../http/api-error.js';
import { createBusinessEventService } from './business-event-service.js';
import { findWebhookReferral } from '../../schema/find-webhook-referral.js';
import { createInboundRequestLog } from './inbound-request-log.js';
import type { HubDeps } from './hub-deps.js';

export type StripeWebhookAnswer = { ignored: true; reason: string } | { received: true; eventId: string; duplicate: boolean };

/**
 * `POST /webhooks/stripe` (https://docs.stripe.com/webhooks): verifies the signature over the
 * raw body, maps `invoice.paid` and `charge.refunded` to business events and records them with
 * the Stripe event id as idempotency key, so Stripe's retries and duplicates change nothing.
 * Events about nobody we know are acknowledged as ignored: a non-2xx would only make Stripe retry.
 */
export function createStripeWebhookService(deps: HubDeps, endpointSecret: string) {
  const events = createBusinessEventService(deps.db, deps.dispatcher);
  const requests = createInboundRequestLog(deps.sql, deps.logger);

  return {
    async receive(rawBody: string, signature: string | undefined): Promise<StripeWebhookAnswer> {
      let event;
      try {
        event = verifyStripeSignature(rawBody, signature, endpointSecret);
      } catch (err) {
        if (!(err instanceof StripeSignatureError)) throw err;
        if (err.reason === 'invalid_payload') throw new ApiError('malformed_json', 'The signed body is not a Stripe event');
        throw new ApiError('unauthorized', 'Missing or invalid Stripe-Signature');
      }

      return requests.handle(
        { source: 'stripe', contentType: 'application/json', rawBody },
        (body) => ({ status: 200, body }),
        async (): Promise<StripeWebhookAnswer> => {
          let mapped;
          try {
            mapped = stripeEventToBusinessEvent(event);
          } catch (err) {
            if (err instanceof ZodError)
              throw new ApiError('validation_failed', `The ${event.type} event lacks fields the hub needs`, issuesToDetails(err.issues));
            throw err;
          }
          const ignore = (reason: string): StripeWebhookAnswer => {
            deps.logger.info({ stripeEventId: event.id, type: event.type, reason }, 'stripe event ignored');
            return { ignored: true, reason };
          };
          if (!mapped) return ignore(`${event.type} is not an event the hub handles`);

          const found = await findWebhookReferral(deps.sql, { referralId: mapped.referralId, email: mapped.email });
          if ('reason' in found) return ignore(found.reason);
          const { id, programId } = found.referral;
          const result = await events.record(
            { id: 'webhook:stripe', name: 'Stripe webhook', scopes: ['write'], programIds: [programId] },
            {
              programId,
              referral: { id },
              type: mapped.type,
              amount: mapped.amount,
              currency: mapped.currency,
              occurredAt: mapped.occurredAt,
              idempotencyKey: mapped.idempotencyKey,
            },
          );
          return { received: true, eventId: result.eventId, duplicate: !result.created };
        },
      );
    },
  };
}
