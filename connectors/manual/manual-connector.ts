import { z } from 'zod';
import type { ConnectorDefinition } from '../connector.js';

const REWARD_KINDS = ['cash', 'gift_card', 'credit', 'coupon', 'points'] as const;

export const manualSettingsSchema = z
  .object({
    rewardKinds: z.array(z.enum(REWARD_KINDS)).min(1).describe('Reward kinds your team pays by hand (bank transfer, store credit, …)'),
  })
  .strict();

export const manualSecretsSchema = z.object({}).strict();

/**
 * Paying by hand: nothing is sent anywhere. Payouts wait as `sent` for ops, who pay them from
 * the payouts CSV and mark each one paid with their own reference.
 */
export const manualConnector: ConnectorDefinition<typeof manualSettingsSchema, typeof manualSecretsSchema> = {
  kind: 'manual',
  displayName: 'Manual payouts',
  settingsSchema: manualSettingsSchema,
  secretsSchema: manualSecretsSchema,
  targets: () => [],
  pays: (settings) => ({ rewardKinds: settings.rewardKinds }),
  create({ settings }) {
    return {
      check: async () => {},
      payout: {
        rewardKinds: settings.rewardKinds,
        currencies: [],
        byHand: true,
        pay: async () => ({ state: 'sent', providerReference: '' }),
        status: async () => ({ state: 'sent', providerReference: '' }),
      },
    };
  },
};
