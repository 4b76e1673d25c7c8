import { z } from 'zod';
import { ConnectorError, type PayoutOutcome } from '../connector.js';

// The fields of an order (create answer, order details, order list item) the hub relies on; Tango
// adds fields at any time, so the rest is let through.
export const tangoCardOrderSchema = z.looseObject({
  referenceOrderID: z.string().min(1),
  externalRefID: z.string().nullish(),
  status: z.string().min(1),
});

export type TangoCardOrder = z.infer<typeof tangoCardOrderSchema>;

// A single-reward order is final once COMPLETE (the reward was issued and sent) or FAILED /
// CANCELLED (nothing was issued and the account was refunded). PENDING orders are in Tango's
// review and usually settle within a business day.
const PAID = new Set(['COMPLETE', 'COMPLETED']);
const FAILED = new Set(['FAILED', 'CANCELLED', 'CANCELED']);

/** Reads an order out of an answer body; an answer without one is the provider's fault. */
export function readTangoCardOrder(data: unknown, what: string): TangoCardOrder {
  const parsed = tangoCardOrderSchema.safeParse(data);
  if (!parsed.success) throw new ConnectorError('transient', `Tango Card answered ${what} without an order (referenceOrderID and status)`);
  return parsed.data;
}

/** Where a Tango Card order stands, as a payout outcome; its reference is the referenceOrderID. */
export function tangoCardOrderOutcome(order: TangoCardOrder): PayoutOutcome {
  const status = order.status.toUpperCase();
  const providerReference = order.referenceOrderID;
  if (PAID.has(status)) return { state: 'paid', providerReference };
  if (FAILED.has(status)) {
    return {
      state: 'failed',
      providerReference,
      failureCode: 'rejected',
      failureReason: `Tango Card order ${providerReference} is ${status}`,
    };
  }
  // PENDING, and any status Tango adds later: not final, so the caller keeps asking.
  return { state: 'sent', providerReference };
}
