import { z } from 'zod';
import type { PayoutOutcome } from '../connector.js';

const orderSchema = z.looseObject({
  id: z.string().min(1),
  status: z.string(),
  rewards: z
    .array(
      z.looseObject({
        id: z.string().optional(),
        value: z.looseObject({ denomination: z.number().optional(), currency_code: z.string().optional() }).optional(),
        delivery: z.looseObject({ method: z.string().optional(), status: z.string().optional() }).optional(),
      }),
    )
    .optional(),
});
const answerSchema = z.looseObject({ order: orderSchema });

export type TremendousOrder = z.infer<typeof orderSchema>;

/** The order in a Tremendous answer ({"order": …}), or undefined when the body is not one. */
export function readTremendousOrder(data: unknown): TremendousOrder | undefined {
  const parsed = answerSchema.safeParse(data);
  return parsed.success ? parsed.data.order : undefined;
}

/**
 * Where a payout stands, from its order. The order status says whether Tremendous took the money
 * (EXECUTED) or gave up (FAILED, CANCELED); the reward's delivery status says whether the
 * recipient got it. Any other order status (OPEN, the PENDING … approvals and settlement) is
 * still moving, as is a delivery that is SCHEDULED or PENDING.
 */
export function tremendousOrderOutcome(order: TremendousOrder): PayoutOutcome {
  const reward = order.rewards?.[0];
  const providerReference = reward?.id ? `${order.id}/${reward.id}` : order.id;
  switch (order.status) {
    case 'CANCELED':
      return { state: 'failed', providerReference, failureCode: 'rejected', failureReason: 'Tremendous order canceled' };
    case 'FAILED':
      return {
        state: 'failed',
        providerReference,
        failureCode: 'rejected',
        failureReason: 'Tremendous could not process the order (status FAILED), e.g. the funding source could not pay for it',
      };
    case 'EXECUTED': {
      const delivery = reward?.delivery?.status;
      if (delivery === 'SUCCEEDED') return { state: 'paid', providerReference };
      if (delivery === 'FAILED') {
        const method = reward?.delivery?.method ? `${reward.delivery.method} ` : '';
        return {
          state: 'failed',
          providerReference,
          failureCode: 'invalid_recipient',
          failureReason: `Tremendous could not deliver the reward (${method}delivery FAILED); it is paid for and can be resent from the Tremendous dashboard`,
        };
      }
      return { state: 'sent', providerReference };
    }
    default:
      return { state: 'sent', providerReference };
  }
}
