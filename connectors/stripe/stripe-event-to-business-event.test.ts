import crypto from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { stripeEventToBusinessEvent } from './stripe-event-to-business-event.js';
import { verifyStripeSignature, type StripeEvent } from './verify-stripe-signature.js';

type Json = Record<string, unknown>;

function event(type: string, object: Json, overrides: Json = {}): StripeEvent {
  return {
    id: 'evt_1RVn2kLkdIwHu7ix0Xq3pZ8a',
    object: 'event',
    api_version: '2025-03-31.basil',
    created: 1748779200,
    data: { object },
    livemode: false,
    pending_webhooks: 1,
    request: { id: null, idempotency_key: null },
    type,
    ...overrides,
  } as StripeEvent;
}

const line = {
  id: 'il_1RVn2iLkdIwHu7ixQ3wC9mZa',
  object: 'line_item',
  amount: 2900,
  currency: 'usd',
  description: '1 × Pro (at $29.00 / month)',
  period: { end: 1751371200, start: 1748779200 },
  quantity: 1,
};

/** An invoice as API versions from 2025-03-31.basil send it: the subscription lives under `parent`. */
function basilInvoice(overrides: Json = {}): Json {
  return {
    id: 'in_1RVn2iLkdIwHu7ixk9Zb1c2D',
    object: 'invoice',
    account_country: 'US',
    amount_due: 2900,
    amount_paid: 2900,
    amount_remaining: 0,
    attempt_count: 1,
    billing_reason: 'subscription_cycle',
    collection_method: 'charge_automatically',
    created: 1748775600,
    currency: 'usd',
    customer: 'cus_SQe0Q1g2LkdIwH',
    customer_email: 'bob@example.com',
    customer_name: 'Bob Stone',
    lines: { object: 'list', data: [line], has_more: false, total_count: 1, url: '/v1/invoices/in_1RVn2iLkdIwHu7ixk9Zb1c2D/lines' },
    livemode: false,
    metadata: {},
    number: 'A1B2C3D4-0007',
    parent: {
      quote_details: null,
      subscription_details: { metadata: { referral_id: 'ref_01JX2Q8ZB6S4', plan: 'pro' }, subscription: 'sub_1QyZ8aLkdIwHu7ixT4v5W6x7' },
      type: 'subscription_details',
    },
    period_end: 1748779200,
    period_start: 1746100800,
    status: 'paid',
    status_transitions: { finalized_at: 1748779100, marked_uncollectible_at: null, paid_at: 1748779150, voided_at: null },
    subtotal: 2900,
    total: 2900,
    ...overrides,
  };
}

/** The same invoice as 2024-06-20 and older versions send it: `subscription` at the top level. */
function legacyInvoice(overrides: Json = {}): Json {
  const { parent: _parent, ...rest } = basilInvoice();
  return {
    ...rest,
    subscription: 'sub_1QyZ8aLkdIwHu7ixT4v5W6x7',
    subscription_details: { metadata: { plan: 'pro' } },
    ...overrides,
  };
}

function refundedCharge(overrides: Json = {}): Json {
  return {
    id: 'ch_3RVo1bLkdIwHu7ix1aBcDeFg',
    object: 'charge',
    amount: 5000,
    amount_captured: 5000,
    amount_refunded: 2500,
    balance_transaction: 'txn_3RVo1bLkdIwHu7ix1x2y3z4w',
    billing_details: { address: { country: 'FR', postal_code: null }, email: 'claire@example.fr', name: 'Claire Dupont', phone: null },
    captured: true,
    created: 1748700000,
    currency: 'eur',
    customer: 'cus_SQe0Q1g2LkdIwH',
    livemode: false,
    metadata: { referral_id: 'ref_01JX2QA1C3D5' },
    paid: true,
    payment_intent: 'pi_3RVo1bLkdIwHu7ix1h8g7f6e',
    receipt_email: null,
    refunded: false,
    status: 'succeeded',
    ...overrides,
  };
}

describe('stripeEventToBusinessEvent', () => {
  it('maps a renewal invoice in the 2025-03-31.basil shape (subscription under parent)', () => {
    expect(stripeEventToBusinessEvent(event('invoice.paid', basilInvoice()))).toEqual({
      type: 'subscription_renewed',
      amount: 29,
      currency: 'USD',
      email: 'bob@example.com',
      referralId: 'ref_01JX2Q8ZB6S4',
      subscriptionId: 'sub_1QyZ8aLkdIwHu7ixT4v5W6x7',
      idempotencyKey: 'evt_1RVn2kLkdIwHu7ix0Xq3pZ8a',
      occurredAt: new Date(1748779150 * 1000).toISOString(),
    });
  });

  it('maps the first invoice of a subscription in the legacy shape (top-level subscription) to purchase', () => {
    const result = stripeEventToBusinessEvent(
      event(
        'invoice.paid',
        legacyInvoice({ billing_reason: 'subscription_create', amount_paid: 4999, metadata: { referral_id: 'ref_01JX2QB7' } }),
        {
          api_version: '2024-06-20',
        },
      ),
    );
    expect(result).toEqual({
      type: 'purchase',
      amount: 49.99,
      currency: 'USD',
      email: 'bob@example.com',
      referralId: 'ref_01JX2QB7',
      subscriptionId: 'sub_1QyZ8aLkdIwHu7ixT4v5W6x7',
      idempotencyKey: 'evt_1RVn2kLkdIwHu7ix0Xq3pZ8a',
      occurredAt: new Date(1748779150 * 1000).toISOString(),
    });
  });

  it('maps a legacy-shape renewal and reads referral_id from subscription_details metadata', () => {
    const invoice = legacyInvoice({ subscription_details: { metadata: { referral_id: 'ref_legacy_sub' } } });
    expect(stripeEventToBusinessEvent(event('invoice.paid', invoice, { api_version: '2023-10-16' }))).toMatchObject({
      type: 'subscription_renewed',
      subscriptionId: 'sub_1QyZ8aLkdIwHu7ixT4v5W6x7',
      referralId: 'ref_legacy_sub',
    });
  });

  it('accepts an expanded subscription object in either shape', () => {
    const expanded = { id: 'sub_expanded', object: 'subscription', status: 'active' };
    expect(stripeEventToBusinessEvent(event('invoice.paid', legacyInvoice({ subscription: expanded })))?.subscriptionId).toBe(
      'sub_expanded',
    );
    const basil = basilInvoice({
      parent: { type: 'subscription_details', subscription_details: { subscription: expanded, metadata: {} } },
    });
    expect(stripeEventToBusinessEvent(event('invoice.paid', basil))?.subscriptionId).toBe('sub_expanded');
  });

  it('treats a one-off invoice (no subscription) as a purchase', () => {
    const oneOff = basilInvoice({ billing_reason: 'manual', parent: null, amount_paid: 15000, currency: 'gbp', customer_email: null });
    const result = stripeEventToBusinessEvent(event('invoice.paid', oneOff));
    expect(result).toEqual({
      type: 'purchase',
      amount: 150,
      currency: 'GBP',
      idempotencyKey: 'evt_1RVn2kLkdIwHu7ix0Xq3pZ8a',
      occurredAt: new Date(1748779150 * 1000).toISOString(),
    });
  });

  it('falls back to the event time when the invoice has no paid_at', () => {
    const invoice = basilInvoice({ status_transitions: { paid_at: null } });
    expect(stripeEventToBusinessEvent(event('invoice.paid', invoice))?.occurredAt).toBe(new Date(1748779200 * 1000).toISOString());
  });

  it.each([
    ['jpy', 3000, 3000],
    ['kwd', 12340, 12.34],
    ['usd', 1, 0.01],
  ])('converts %s minor units %i to %d', (currency, minor, units) => {
    const result = stripeEventToBusinessEvent(event('invoice.paid', basilInvoice({ currency, amount_paid: minor })));
    expect(result).toMatchObject({ amount: units, currency: currency.toUpperCase() });
  });

  it('ignores an invoice that moved no money (trial start)', () => {
    expect(
      stripeEventToBusinessEvent(event('invoice.paid', basilInvoice({ billing_reason: 'subscription_create', amount_paid: 0 }))),
    ).toBeNull();
  });

  it('maps charge.refunded to refund with amount_refunded and the billing email', () => {
    expect(stripeEventToBusinessEvent(event('charge.refunded', refundedCharge(), { id: 'evt_3RVo2cLkdIwHu7ix0Rf5' }))).toEqual({
      type: 'refund',
      amount: 25,
      currency: 'EUR',
      email: 'claire@example.fr',
      referralId: 'ref_01JX2QA1C3D5',
      idempotencyKey: 'evt_3RVo2cLkdIwHu7ix0Rf5',
      occurredAt: new Date(1748779200 * 1000).toISOString(),
    });
  });

  it('prefers receipt_email on a refunded charge', () => {
    const charge = refundedCharge({ receipt_email: 'receipts@example.fr', metadata: {} });
    const result = stripeEventToBusinessEvent(event('charge.refunded', charge));
    expect(result?.email).toBe('receipts@example.fr');
    expect(result).not.toHaveProperty('referralId');
  });

  it.each(['customer.created', 'invoice.created', 'invoice.payment_failed', 'charge.succeeded', 'customer.subscription.deleted'])(
    'ignores %s',
    (type) => {
      expect(stripeEventToBusinessEvent(event(type, basilInvoice()))).toBeNull();
    },
  );

  it('throws when a handled event lacks the fields it needs', () => {
    const { amount_paid: _dropped, ...withoutAmount } = basilInvoice();
    expect(() => stripeEventToBusinessEvent(event('invoice.paid', withoutAmount))).toThrow();
    expect(() => stripeEventToBusinessEvent(event('charge.refunded', { id: 'ch_1', object: 'charge', currency: 'usd' }))).toThrow();
  });

  it('maps what verifyStripeSignature returns for a delivery signed like Stripe signs it', () => {
    const secret = 'whsec_test_e2e_91c4b7a2d3f8';
    const raw = JSON.stringify(event('invoice.paid', basilInvoice()));
    const t = Math.floor(Date.now() / 1000);
    const sig = crypto.createHmac('sha256', secret).update(`${t}.${raw}`).digest('hex');
    const verified = verifyStripeSignature(raw, `t=${t},v1=${sig}`, secret);
    expect(stripeEventToBusinessEvent(verified)).toMatchObject({
      type: 'subscription_renewed',
      amount: 29,
      idempotencyKey: 'evt_1RVn2kLkdIwHu7ix0Xq3pZ8a',
    });
  });
});
