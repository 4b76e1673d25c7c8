import { z } from 'zod';
import type { ConnectorDefinition } from '../connector.js';
import { createHttpClient } from '../http/create-http-client.js';
import { pushEventEnvelopes, type EnvelopeTarget } from '../webhook/post-event-envelope.js';

export const zapierHookSettingsSchema = z
  .object({
    targetUrl: z
      .url({ protocol: /^https?$/, error: 'targetUrl must be an absolute http or https URL' })
      .describe('bundle.targetUrl Zapier sent to POST /api/v1/hooks'),
    timeoutMs: z.number().int().min(100).max(60_000).optional(),
  })
  .strict();

// The target URL is the credential (Zapier has no hook handshake or signing), so no secrets.
export const zapierHookSecretsSchema = z.object({}).strict();

// Zapier throttles REST hooks at 30 per second per hook; stay under it.
const REQUESTS_PER_SECOND = 20;

/**
 * A Zapier REST hook subscription, created through /api/v1/hooks. Delivery is the webhook
 * connector's, unsigned. A 410 means the Zap was turned off: it surfaces as
 * ConnectorError('gone') so the sync layer deletes the subscription.
 */
export const zapierHookConnector: ConnectorDefinition<typeof zapierHookSettingsSchema, typeof zapierHookSecretsSchema> = {
  kind: 'zapier',
  displayName: 'Zapier (REST hook)',
  targets: (settings) => [settings.targetUrl],
  settingsSchema: zapierHookSettingsSchema,
  secretsSchema: zapierHookSecretsSchema,
  create({ settings }, runtime) {
    const target: EnvelopeTarget = {
      url: settings.targetUrl,
      client: createHttpClient({ timeoutMs: settings.timeoutMs ?? runtime.timeoutMs, lookup: runtime.lookup }),
      runtime,
      // The hook URL's path is its credential; keep it out of error excerpts too.
      redact: [new URL(settings.targetUrl).pathname].filter((path) => path.length > 1),
      goneStatus: 410,
    };
    return {
      check: () => runtime.assertTargetAllowed(settings.targetUrl),
      destination: {
        batchSize: 1,
        requestsPerSecond: REQUESTS_PER_SECOND,
        push: (records) => pushEventEnvelopes(target, records),
      },
    };
  },
};
