import { z } from 'zod';
import { ConnectorError, type PayoutOutcome } from '../connector.js';

const itemSchema = z.looseObject({
  payout_item_id: z.string(),
  transaction_status: z.string().optional(),
  payout_item: z.looseObject({ sender_item_id: z.string().optional() }).optional(),
  errors: z.looseObject({ name: z.string().optional(), message: z.string().optional() }).optional(),
});

export const paypalBatchSchema = z.looseObject({
  batch_header: z.looseObject({ payout_batch_id: z.string().min(1), batch_status: z.string() }),
  items: z.array(itemSchema).optional(),
});

export type PayPalBatch = z.infer<typeof paypalBatchSchema>;

const FAILED = new Set(['FAILED', 'RETURNED', 'BLOCKED', 'REFUNDED', 'REVERSED']);
// Item error names that say the receiver cannot be paid (wrong, closed or restricted account).
const INVALID_RECIPIENT = new Set([
  'RECEIVER_ACCOUNT_INVALID',
  'RECEIVER_ACCOUNT_LOCKED',
  'RECEIVER_COUNTRY_NOT_ALLOWED',
  'RECEIVER_STATE_RESTRICTED',
  'RECEIVER_YOUTH_ACCOUNT',
  'RECEIVER_UNCONFIRMED',
  'RECEIVER_REFUSED',
  'RECEIVING_LIMIT_EXCEEDED',
]);

/** Reads a batch's JSON (the create answer or the batch lookup); throws when it is not one. */
export function parsePayPalBatch(data: unknown, status: number): PayPalBatch {
  const batch = paypalBatchSchema.safeParse(data);
  if (!batch.success) throw new ConnectorError('permanent', 'PayPal answered without a payout batch header', { status });
  return batch.data;
}

/**
 * Where our payout stands in a batch PayPal holds. A batch carries exactly the one item we sent
 * (its sender_item_id is the payout id); until PayPal lists it, the payout is accepted, not final.
 */
export function paypalBatchOutcome(batch: PayPalBatch, payoutId: string): PayoutOutcome {
  const batchId = batch.batch_header.payout_batch_id;
  const item = batch.items?.find((candidate) => candidate.payout_item?.sender_item_id === payoutId) ?? batch.items?.[0];
  if (!item) {
    const status = batch.batch_header.batch_status;
    if (status === 'DENIED' || status === 'CANCELED') {
      return { state: 'failed', providerReference: batchId, failureCode: 'rejected', failureReason: `PayPal batch ${status}` };
    }
    return { state: 'sent', providerReference: batchId };
  }
  const providerReference = `${batchId}/${item.payout_item_id}`;
  const status = item.transaction_status ?? 'PENDING';
  if (status === 'SUCCESS') return { state: 'paid', providerReference };
  if (status === 'UNCLAIMED') return { state: 'unclaimed', providerReference };
  if (FAILED.has(status)) {
    const name = item.errors?.name;
    const detail = [name, item.errors?.message].filter(Boolean).join(': ');
    return {
      state: 'failed',
      providerReference,
      failureReason: `${status}${detail ? ` (${detail})` : ''}`,
      failureCode:
        name === 'INSUFFICIENT_FUNDS' ? 'insufficient_funds' : name && INVALID_RECIPIENT.has(name) ? 'invalid_recipient' : 'rejected',
    };
  }
  // PENDING, ONHOLD, NEW and any status PayPal adds later: not final yet.
  return { state: 'sent', providerReference };
}
