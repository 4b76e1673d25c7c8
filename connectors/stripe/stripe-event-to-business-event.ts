import { z } from 'zod';
import { stripeAmountToUnits } from './stripe-amount-to-units.js';
import type { StripeEvent } from './verify-stripe-signature.js';

/** A business event (as `POST /api/v1/events` takes it) derived from one Stripe event. */
export interface StripeBusinessEvent {
  type: 'purchase' | 'subscription_renewed' | 'refund';
  amount: number;
  /** ISO 4217, upper case. */
  currency: string;
  email?: string;
  /** `metadata.referral_id` set by the merchant's checkout, when present. */
  referralId?: string;
  subscriptionId?: string;
  /** The Stripe event id: Stripe redelivers and duplicates events, never with a new id. */
  idempotencyKey: string;
  occurredAt: string;
}

const metadataSchema = z.record(z.string(), z.string()).nullish();
// Expandable fields arrive as an id, or as the object when the sender expanded them.
const expandableIdSchema = z.union([z.string(), z.looseObject({ id: z.string() }).transform((object) => object.id)]).nullish();

// https://docs.stripe.com/api/invoices/object; `parent` replaced `subscription` and
// `subscription_details` in 2025-03-31.basil (https://docs.stripe.com/changelog/basil/2025-03-31/adds-new-parent-field-to-invoicing-objects).
const invoiceSchema = z.looseObject({
  id: z.string(),
  amount_paid: z.number().int(),
  currency: z.string().min(3),
  customer_email: z.string().nullish(),
  billing_reason: z.string().nullish(),
  metadata: metadataSchema,
  subscription: expandableIdSchema,
  subscription_details: z.looseObject({ metadata: metadataSchema }).nullish(),
  parent: z
    .looseObject({
      subscription_details: z.looseObject({ subscription: expandableIdSchema, metadata: metadataSchema }).nullish(),
    })
    .nullish(),
  status_transitions: z.looseObject({ paid_at: z.number().int().nullish() }).nullish(),
});

// https://docs.stripe.com/api/charges/object
const chargeSchema = z.looseObject({
  id: z.string(),
  amount_refunded: z.number().int(),
  currency: z.string().min(3),
  receipt_email: z.string().nullish(),
  billing_details: z.looseObject({ email: z.string().nullish() }).nullish(),
  metadata: metadataSchema,
});

const REFERRAL_ID_KEY = 'referral_id';

const isoFromSeconds = (seconds: number) => new Date(seconds * 1000).toISOString();
const firstPresent = (...values: Array<string | null | undefined>) =>
  values.find((value): value is string => typeof value === 'string' && value !== '');

function fromInvoicePaid(event: StripeEvent): StripeBusinessEvent | null {
  const invoice = invoiceSchema.parse(event.data.object);
  // A trial's first invoice or a fully credited one moved no money: nothing to reward.
  if (invoice.amount_paid <= 0) return null;
  const subscriptionDetails = invoice.parent?.subscription_details;
  const subscriptionId = firstPresent(subscriptionDetails?.subscription, invoice.subscription);
  // The subscription's first invoice is the purchase; a one-off invoice has no subscription at all.
  const type = invoice.billing_reason === 'subscription_create' || subscriptionId === undefined ? 'purchase' : 'subscription_renewed';
  const referralId = firstPresent(
    invoice.metadata?.[REFERRAL_ID_KEY],
    subscriptionDetails?.metadata?.[REFERRAL_ID_KEY],
    invoice.subscription_details?.metadata?.[REFERRAL_ID_KEY],
  );
  return {
    type,
    amount: stripeAmountToUnits(invoice.amount_paid, invoice.currency),
    currency: invoice.currency.toUpperCase(),
    ...(invoice.customer_email ? { email: invoice.customer_email } : {}),
    ...(referralId ? { referralId } : {}),
    ...(subscriptionId ? { subscriptionId } : {}),
    idempotencyKey: event.id,
    occurredAt: isoFromSeconds(invoice.status_transitions?.paid_at ?? event.created),
  };
}

function fromChargeRefunded(event: StripeEvent): StripeBusinessEvent | null {
  const charge = chargeSchema.parse(event.data.object);
  if (charge.amount_refunded <= 0) return null;
  const email = firstPresent(charge.receipt_email, charge.billing_details?.email);
  const referralId = firstPresent(charge.metadata?.[REFERRAL_ID_KEY]);
  return {
    type: 'refund',
    // Cumulative over the charge's refunds, as Stripe reports it on the charge.
    amount: stripeAmountToUnits(charge.amount_refunded, charge.currency),
    currency: charge.currency.toUpperCase(),
    ...(email ? { email } : {}),
    ...(referralId ? { referralId } : {}),
    idempotencyKey: event.id,
    occurredAt: isoFromSeconds(event.created),
  };
}

/**
 * Maps a verified Stripe event (https://docs.stripe.com/api/events/object) onto the hub's business
 * events: `invoice.paid` → `purchase` (first subscription invoice, or a one-off invoice) or
 * `subscription_renewed`; `charge.refunded` → `refund`. Returns null for events the hub ignores;
 * throws a ZodError when a handled event lacks the fields it needs.
 */
export function stripeEventToBusinessEvent(event: StripeEvent): StripeBusinessEvent | null {
  switch (event.type) {
    case 'invoice.paid':
      return fromInvoicePaid(event);
    case 'charge.refunded':
      return fromChargeRefunded(event);
    default:
      return null;
  }
}
