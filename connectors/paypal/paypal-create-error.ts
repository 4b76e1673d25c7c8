import { z } from 'zod';
import type { PayoutOutcome } from '../connector.js';

const linkSchema = z.looseObject({ href: z.string() });
const errorSchema = z.looseObject({
  name: z.string().optional(),
  message: z.string().optional(),
  details: z
    .array(
      z.looseObject({
        field: z.string().optional(),
        issue: z.string().optional(),
        description: z.string().optional(),
        link: z.array(linkSchema).optional(),
      }),
    )
    .optional(),
  links: z.array(linkSchema).optional(),
});

const BATCH_LINK = /\/v1\/payments\/payouts\/([A-Za-z0-9]+)(?:[/?#]|$)/;

/** What a refused create-payout answer means for this payout. */
export type PayPalCreateRefusal =
  /** The sender_batch_id was used before: `batchId` is the original batch when PayPal linked it. */
  | { kind: 'duplicate'; batchId?: string }
  /** Refused for the recipient or the sender's balance: a failed payout, not an error. */
  | { kind: 'outcome'; outcome: Omit<PayoutOutcome, 'providerReference'> }
  | { kind: 'other' };

/**
 * Reads PayPal's refusal of a create-payout call. A reused sender_batch_id is answered 400
 * USER_BUSINESS_ERROR with a detail on SENDER_BATCH_ID and a link to the original batch; its host
 * may be a legacy API host, so only the batch id is taken from it.
 */
export function readPayPalCreateRefusal(status: number, data: unknown): PayPalCreateRefusal {
  const parsed = errorSchema.safeParse(data);
  if (!parsed.success) return { kind: 'other' };
  const error = parsed.data;
  const details = error.details ?? [];
  const duplicate = details.find(
    (detail) => detail.field?.toUpperCase().endsWith('SENDER_BATCH_ID') && /already exists|duplicate/i.test(detail.issue ?? ''),
  );
  if (status === 400 && duplicate) {
    const hrefs = [...(duplicate.link ?? []), ...details.flatMap((detail) => detail.link ?? []), ...(error.links ?? [])].map(
      (link) => link.href,
    );
    const batchId = hrefs.map((href) => BATCH_LINK.exec(href)?.[1]).find(Boolean);
    return { kind: 'duplicate', batchId };
  }
  if (error.name === 'INSUFFICIENT_FUNDS') {
    return { kind: 'outcome', outcome: { state: 'failed', failureCode: 'insufficient_funds', failureReason: error.message ?? error.name } };
  }
  const receiver = details.find((detail) => /(^|[.\]])receiver$/i.test(detail.field ?? ''));
  if (status === 400 && receiver) {
    const why = receiver.issue ?? receiver.description ?? error.message ?? 'receiver refused';
    return { kind: 'outcome', outcome: { state: 'failed', failureCode: 'invalid_recipient', failureReason: why } };
  }
  return { kind: 'other' };
}
