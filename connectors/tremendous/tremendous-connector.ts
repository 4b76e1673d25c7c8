import { z } from 'zod';
import type { ConnectorDefinition } from '../connector.js';
import { createTremendousApi } from './create-tremendous-api.js';
import { classifyTremendousError } from './classify-tremendous-error.js';
import { payWithTremendous } from './pay-with-tremendous.js';
import { sendTremendousRequest } from './send-tremendous-request.js';
import type { TremendousAccount } from './tremendous-account.js';
import { TREMENDOUS_CURRENCIES } from './tremendous-currencies.js';
import { tremendousPayoutStatus } from './tremendous-payout-status.js';

export const TREMENDOUS_PRODUCTION_URL = 'https://api.tremendous.com/api/v2';
const REWARD_KINDS = ['cash', 'gift_card', 'credit', 'coupon', 'points'] as const;

export const tremendousSettingsSchema = z
  .object({
    baseUrl: z
      .url({ protocol: /^https?$/, error: 'baseUrl must be an absolute http or https URL' })
      .optional()
      .describe(`API root; default ${TREMENDOUS_PRODUCTION_URL} (sandbox: https://testflight.tremendous.com/api/v2)`),
    rewardKinds: z.array(z.enum(REWARD_KINDS)).min(1).describe('The reward kinds this connector pays'),
    fundingSourceId: z
      .string()
      .trim()
      .min(1)
      .optional()
      .describe('Funding source that pays the orders; default "balance" (the account balance)'),
    campaignId: z.string().trim().min(1).optional().describe('Tremendous campaign: the products offered and the look of the reward email'),
    products: z
      .array(z.string().trim().min(1))
      .min(1)
      .optional()
      .describe("Product ids offered to the recipient, instead of the campaign's products"),
    // LINK would hand back a link nobody delivers, and PHONE needs a number the hub does not keep.
    deliveryMethod: z
      .literal('EMAIL', { error: 'deliveryMethod must be "EMAIL": the hub has no way to pass on a LINK and keeps no phone numbers' })
      .optional()
      .describe('How Tremendous delivers the reward; only "EMAIL" (the default)'),
  })
  .strict()
  .refine((settings) => settings.campaignId !== undefined || settings.products !== undefined, {
    error: 'Tremendous needs a campaignId or a products list to know what to offer',
    path: ['campaignId'],
  });

export const tremendousSecretsSchema = z
  .object({
    apiKey: z.string().trim().min(1).describe('API key (Bearer): TEST_… for the sandbox, PROD_… for production'),
  })
  .strict();

/** Tremendous: pays rewards as gift cards and other rewards the recipient picks, by email. */
export const tremendousConnector: ConnectorDefinition<typeof tremendousSettingsSchema, typeof tremendousSecretsSchema> = {
  kind: 'tremendous',
  displayName: 'Tremendous',
  settingsSchema: tremendousSettingsSchema,
  secretsSchema: tremendousSecretsSchema,
  targets: (settings) => (settings.baseUrl ? [settings.baseUrl] : []),
  pays: (settings) => ({ rewardKinds: settings.rewardKinds, currencies: TREMENDOUS_CURRENCIES }),
  create({ settings, secrets }, runtime) {
    const baseUrl = settings.baseUrl ?? TREMENDOUS_PRODUCTION_URL;
    const account: TremendousAccount = {
      api: createTremendousApi({ apiKey: secrets.apiKey, baseUrl, timeoutMs: runtime.timeoutMs, lookup: runtime.lookup }),
      baseUrl,
      order: {
        fundingSourceId: settings.fundingSourceId ?? 'balance',
        campaignId: settings.campaignId,
        products: settings.products,
        deliveryMethod: settings.deliveryMethod ?? 'EMAIL',
      },
      runtime,
      redact: [secrets.apiKey],
    };
    return {
      async check() {
        await runtime.assertTargetAllowed(baseUrl);
        // The cheapest call any key may make: its funding sources.
        const response = await sendTremendousRequest(account.redact, () => account.api.fundingSources.listFundingSources());
        if (response.status !== 200) throw classifyTremendousError(response, { redact: account.redact });
      },
      payout: {
        rewardKinds: settings.rewardKinds,
        currencies: TREMENDOUS_CURRENCIES,
        pay: (request) => payWithTremendous(account, request),
        status: (payoutId, providerReference) => tremendousPayoutStatus(account, payoutId, providerReference),
      },
    };
  },
};
