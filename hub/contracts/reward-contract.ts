import { z } from 'zod';
import { REWARD_STATUSES } from '../../schema/tables/rewards.js';

export const rewardSchema = z
  .object({
    id: z.string(),
    programId: z.string(),
    ruleId: z.string(),
    referralId: z.string(),
    recipient: z.enum(['member', 'referral']),
    memberId: z.string(),
    amount: z.number(),
    currency: z.string(),
    kind: z.string(),
    status: z.enum(REWARD_STATUSES),
    trigger: z.string(),
    businessEventId: z.string().nullable(),
    holdUntil: z.string().nullable(),
    payoutProvider: z.string().nullable(),
    providerReference: z.string().nullable(),
    payoutId: z.string().nullable().meta({ description: 'The payout settling this reward, once one does' }),
    createdAt: z.string().nullable(),
    updatedAt: z.string().nullable(),
  })
  .meta({ id: 'Reward' });
