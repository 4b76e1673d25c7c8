import { z } from 'zod';
import type { ConnectorDefinition } from '../connector.js';
import { createHttpClient } from '../http/create-http-client.js';
import { checkTangoCardAccount } from './check-tangocard-account.js';
import { placeTangoCardOrder } from './place-tangocard-order.js';
import type { TangoCardApi } from './send-tangocard-request.js';
import { tangoCardOrderStatus } from './tangocard-order-status.js';

export const TANGOCARD_API_URL = 'https://api.tangocard.com/raas/v2';
const REWARD_KINDS = ['cash', 'gift_card', 'credit', 'coupon', 'points'] as const;
// Tango's identifiers are 5 to 100 characters; shorter ones are accepted here and left to Tango.
const identifier = z.string().trim().min(1).max(100);

export const tangocardSettingsSchema = z
  .object({
    baseUrl: z
      .url({ protocol: /^https?$/, error: 'baseUrl must be an absolute http or https URL' })
      .optional()
      .describe(`API root; default ${TANGOCARD_API_URL} (sandbox: https://integration-api.tangocard.com/raas/v2)`),
    rewardKinds: z.array(z.enum(REWARD_KINDS)).min(1).describe('Reward kinds this connector pays'),
    accountIdentifier: identifier.describe('Tango account the rewards are paid from'),
    customerIdentifier: identifier.describe('Tango customer (group) the account belongs to'),
    utid: identifier.describe('The catalog item sent, e.g. U561593 (a variable-value gift card)'),
    currency: z
      .string()
      .regex(/^[A-Z]{3}$/, { error: 'currency must be an ISO 4217 code such as USD' })
      .default('USD')
      .describe("The utid's face-value currency, the only one this connector pays; default USD"),
    sendEmail: z.boolean().default(true).describe('Tango emails the reward to the recipient; default true'),
    emailSubject: z.string().trim().min(1).max(255).optional().describe("Subject of Tango's reward email"),
    message: z.string().trim().min(1).max(1000).optional().describe("Gift message in Tango's email when the payout has no note"),
    sender: z
      .object({
        firstName: z.string().trim().min(1).max(100).optional(),
        lastName: z.string().trim().min(1).max(100).optional(),
        email: z.email().optional(),
      })
      .strict()
      .optional()
      .describe('Who the reward email says it is from'),
  })
  .strict();

export const tangocardSecretsSchema = z
  .object({
    platformName: z.string().trim().min(1).describe('Platform name (the Basic auth user)'),
    platformKey: z.string().trim().min(1).describe('Platform key (the Basic auth password)'),
  })
  .strict();

/** Tango Card RaaS v2: pays rewards as gift card orders, one per payout, idempotent by externalRefID. */
export const tangocardConnector: ConnectorDefinition<typeof tangocardSettingsSchema, typeof tangocardSecretsSchema> = {
  kind: 'tangocard',
  displayName: 'Tango Card',
  settingsSchema: tangocardSettingsSchema,
  secretsSchema: tangocardSecretsSchema,
  targets: (settings) => (settings.baseUrl ? [settings.baseUrl] : []),
  pays: (settings) => ({ rewardKinds: settings.rewardKinds, currencies: [settings.currency] }),
  create({ settings, secrets }, runtime) {
    const baseUrl = settings.baseUrl ?? TANGOCARD_API_URL;
    const basic = Buffer.from(`${secrets.platformName}:${secrets.platformKey}`).toString('base64');
    const api: TangoCardApi = {
      baseUrl,
      runtime,
      redact: [secrets.platformKey, basic],
      client: createHttpClient({
        baseURL: baseUrl,
        timeoutMs: runtime.timeoutMs,
        lookup: runtime.lookup,
        headers: { Authorization: `Basic ${basic}`, Accept: 'application/json', 'Content-Type': 'application/json' },
      }),
    };
    return {
      check: () => checkTangoCardAccount(api, settings),
      payout: {
        rewardKinds: settings.rewardKinds,
        currencies: [settings.currency],
        pay: (request) => placeTangoCardOrder(api, settings, request),
        status: (payoutId, providerReference) => tangoCardOrderStatus(api, settings, payoutId, providerReference),
      },
    };
  },
};
