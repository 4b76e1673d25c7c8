import { z } from 'zod';
import type { ConnectorDefinition } from '../connector.js';
import { INBOUND_KIND } from './inbound-kind.js';

export const INBOUND_ACTIONS = ['member', 'conversion', 'event'] as const;
export type InboundAction = (typeof INBOUND_ACTIONS)[number];

export const inboundSettingsSchema = z
  .object({
    action: z.enum(INBOUND_ACTIONS).meta({ description: 'What a posted body creates' }),
    programId: z.string().min(1).max(64).meta({ description: 'The program the created records belong to' }),
  })
  .strict()
  .meta({ id: 'InboundConnectorSettings' });

export const inboundSecretsSchema = z
  .object({
    signingSecret: z.string().min(16, 'must be at least 16 characters').max(512).optional().meta({
      description:
        'When set, requests must carry Standard Webhooks headers: webhook-id, webhook-timestamp (Unix seconds, within 5 minutes) and webhook-signature: v1,<base64 HMAC-SHA256 of "<id>.<timestamp>.<raw body>"> (a whsec_ secret is base64-decoded for the key, as the standardwebhooks libraries do)',
    }),
  })
  .strict()
  .meta({ id: 'InboundConnectorSecrets' });

/**
 * A URL other systems (Zapier "Webhooks by Zapier", form tools, backends) post JSON to; its
 * mapping turns the body into a member, a conversion or a business event. A source: nothing is
 * sent anywhere, so it has no address to check and nothing to probe.
 */
export const inboundConnector: ConnectorDefinition<typeof inboundSettingsSchema, typeof inboundSecretsSchema> = {
  kind: INBOUND_KIND,
  displayName: 'Inbound webhook',
  inbound: true,
  targets: () => [],
  settingsSchema: inboundSettingsSchema,
  secretsSchema: inboundSecretsSchema,
  create: () => ({ check: async () => undefined }),
};
