import { z } from 'zod';
import type { ConnectorDefinition } from '../connector.js';
import { createHttpClient } from '../http/create-http-client.js';
import { createPayPalPayouts } from './create-paypal-payouts.js';
import { createPayPalSession } from './create-paypal-session.js';
import { PAYPAL_CURRENCIES } from './paypal-currencies.js';

export const PAYPAL_PRODUCTION_URL = 'https://api-m.paypal.com';

export const paypalSettingsSchema = z
  .object({
    baseUrl: z
      .url({ protocol: /^https?$/, error: 'baseUrl must be an absolute http or https URL' })
      .optional()
      .describe('PayPal REST API base; https://api-m.sandbox.paypal.com for the sandbox (default https://api-m.paypal.com)'),
    rewardKinds: z.array(z.string().min(1)).min(1).describe('Reward kinds this connector pays, e.g. ["cash"]'),
    emailSubject: z.string().min(1).max(255).optional().describe('Subject of the email PayPal sends the recipient'),
  })
  .strict();

export const paypalSecretsSchema = z
  .object({
    clientId: z.string().min(1).describe('Client ID of the PayPal REST app (Payouts enabled)'),
    clientSecret: z.string().min(1).describe('Secret of the PayPal REST app'),
  })
  .strict();

/** PayPal Payouts v1: pays rewards to the member's PayPal address (or email), one batch per payout. */
export const paypalConnector: ConnectorDefinition<typeof paypalSettingsSchema, typeof paypalSecretsSchema> = {
  kind: 'paypal',
  displayName: 'PayPal Payouts',
  settingsSchema: paypalSettingsSchema,
  secretsSchema: paypalSecretsSchema,
  targets: (settings) => (settings.baseUrl ? [settings.baseUrl] : []),
  pays: (settings) => ({ rewardKinds: settings.rewardKinds, currencies: PAYPAL_CURRENCIES }),
  create({ settings, secrets }, runtime) {
    const session = createPayPalSession({
      client: createHttpClient({ timeoutMs: runtime.timeoutMs, lookup: runtime.lookup }),
      runtime,
      baseUrl: (settings.baseUrl ?? PAYPAL_PRODUCTION_URL).replace(/\/+$/, ''),
      clientId: secrets.clientId,
      clientSecret: secrets.clientSecret,
    });
    return {
      // A token request proves the client id and secret without touching any payout.
      check: () => session.probe(),
      payout: createPayPalPayouts(session, { rewardKinds: settings.rewardKinds, emailSubject: settings.emailSubject }),
    };
  },
};
