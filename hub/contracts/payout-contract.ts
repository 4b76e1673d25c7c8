import { z } from 'zod';
import { PAYOUT_HOLD_REASONS, PAYOUT_STATUSES } from '../../schema/tables/payouts.js';

export const payoutSchema = z
  .object({
    id: z.string(),
    programId: z.string(),
    memberId: z.string(),
    recipientReferralId: z
      .string()
      .nullable()
      .meta({ description: 'Set when the rewards are for the referred person, who is paid instead of the member' }),
    connectorId: z.string().nullable(),
    provider: z.string().nullable().meta({ description: 'The connector kind paying it (paypal, tremendous, tangocard, manual)' }),
    amount: z.number(),
    currency: z.string(),
    rewardKind: z.string(),
    status: z.enum(PAYOUT_STATUSES),
    holdReason: z.enum(PAYOUT_HOLD_REASONS).nullable().meta({ description: 'Why a pending payout waits for a person to send it' }),
    rewardIds: z.array(z.string()),
    providerReference: z.string().nullable(),
    failureReason: z.string().nullable(),
    failureCode: z.string().nullable(),
    attempts: z.number().meta({ description: 'Sends so far; every one used the payout id as the idempotency key' }),
    createdAt: z.string().nullable(),
    updatedAt: z.string().nullable(),
    sentAt: z.string().nullable(),
    paidAt: z.string().nullable(),
  })
  .meta({ id: 'Payout' });

export const markPaidSchema = z
  .object({
    reference: z.string().trim().min(1).max(200).meta({ description: 'Your own reference for the payment (bank transfer id, …)' }),
  })
  .strict()
  .meta({ id: 'MarkPaid' });
