import { z } from 'zod';
import { ConnectorError, type ConnectorDefinition } from '../connector.js';
import { createHttpClient } from '../http/create-http-client.js';
import { headerRecordSchema } from './header-record-schema.js';
import { pushEventEnvelopes, type EnvelopeTarget } from './post-event-envelope.js';
import { decodeWebhookSecret, MAX_SECRET_BYTES, MIN_SECRET_BYTES, signStandardWebhook } from './sign-standard-webhook.js';

const signingSecretSchema = z.string().refine(
  (secret) => {
    try {
      decodeWebhookSecret(secret);
      return true;
    } catch {
      return false;
    }
  },
  { error: `must be "whsec_" followed by base64 of ${MIN_SECRET_BYTES}-${MAX_SECRET_BYTES} random bytes` },
);

export const webhookSettingsSchema = z
  .object({
    url: z
      .url({ protocol: /^https?$/, error: 'url must be an absolute http or https URL' })
      .describe('Endpoint that receives each event as a signed POST'),
    headers: headerRecordSchema({ allowCredentials: false })
      .optional()
      .describe('Extra request headers (no credentials: use secrets.headers)'),
    timeoutMs: z.number().int().min(100).max(60_000).optional().describe('Per-request timeout; the hub default applies when unset'),
    requestsPerSecond: z
      .number()
      .min(0.1)
      .max(1000)
      .optional()
      .describe('Most requests a second sent to this receiver (default 10); raise it for receivers built for bursts'),
  })
  .strict();

export const webhookSecretsSchema = z
  .object({
    signingSecret: signingSecretSchema.describe('Standard Webhooks secret, whsec_<base64>'),
    previousSigningSecret: signingSecretSchema
      .optional()
      .describe('The secret being rotated out; both signatures are sent until it is removed'),
    headers: headerRecordSchema({ allowCredentials: true }).optional().describe('Credential headers such as Authorization'),
  })
  .strict();

// Receivers are the customer's own servers; a modest default keeps a burst from flooding them.
const REQUESTS_PER_SECOND = 10;

/**
 * Generic outbound webhook following Standard Webhooks v1: one event envelope per
 * POST, HMAC-SHA256 signed, with the previous secret's signature alongside during rotation.
 */
export const webhookConnector: ConnectorDefinition<typeof webhookSettingsSchema, typeof webhookSecretsSchema> = {
  kind: 'webhook',
  displayName: 'Webhook (Standard Webhooks)',
  targets: (settings) => [settings.url],
  settingsSchema: webhookSettingsSchema,
  secretsSchema: webhookSecretsSchema,
  create({ settings, secrets }, runtime) {
    const signingSecrets = [secrets.signingSecret, secrets.previousSigningSecret].filter((s): s is string => s !== undefined);
    let keys: Buffer[];
    try {
      keys = signingSecrets.map(decodeWebhookSecret);
    } catch (error) {
      throw new ConnectorError('invalid', error instanceof Error ? error.message : 'invalid signing secret');
    }
    const target: EnvelopeTarget = {
      url: settings.url,
      client: createHttpClient({ timeoutMs: settings.timeoutMs ?? runtime.timeoutMs, lookup: runtime.lookup }),
      runtime,
      headers: { ...settings.headers, ...secrets.headers },
      sign: (message) => signStandardWebhook(message, keys),
      // A receiver may quote the credential without its scheme ("invalid token abc…" for "Bearer abc…").
      redact: [
        ...signingSecrets,
        ...signingSecrets.map((s) => s.slice('whsec_'.length)),
        ...Object.values(secrets.headers ?? {}).flatMap((v) => [v, v.replace(/^\S+\s+/, '')]),
      ],
    };
    return {
      // No test event is sent: receivers would record it as real. The URL check resolves the host.
      check: () => runtime.assertTargetAllowed(settings.url),
      destination: {
        batchSize: 1,
        requestsPerSecond: settings.requestsPerSecond ?? REQUESTS_PER_SECOND,
        push: (records) => pushEventEnvelopes(target, records),
      },
    };
  },
};
