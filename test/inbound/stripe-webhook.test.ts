import { createHmac, randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { convert, programWithMember, rewardsOf, settle, waitForRewards } from '../support/fixtures.js';
import { createHarness, type Harness } from '../support/hub-harness.js';

const SECRET = `whsec_${randomBytes(24).toString('base64')}`;
let h: Harness;
beforeAll(async () => {
  h = await createHarness({ webhooks: { stripeWebhookSecret: SECRET } });
});
afterAll(async () => {
  await h?.close();
});

let counter = 0;
const eventId = () => `evt_${Date.now().toString(36)}${(counter++).toString(36)}${randomBytes(4).toString('hex')}`;

/** A Stripe event envelope (https://docs.stripe.com/api/events/object). */
const stripeEvent = (type: string, object: Record<string, unknown>, apiVersion = '2025-03-31.basil') => ({
  id: eventId(),
  object: 'event',
  api_version: apiVersion,
  created: Math.floor(Date.now() / 1000),
  data: { object },
  livemode: false,
  pending_webhooks: 1,
  request: { id: null, idempotency_key: null },
  type,
});

/** A renewal invoice as 2025-03-31.basil and later send it: the subscription under `parent`. */
const basilRenewal = (referralId: string, amountPaid: number) => ({
  id: `in_${randomBytes(6).toString('hex')}`,
  object: 'invoice',
  amount_paid: amountPaid,
  currency: 'usd',
  customer: 'cus_1',
  customer_email: 'someone-else@example.com',
  billing_reason: 'subscription_cycle',
  metadata: {},
  parent: { type: 'subscription_details', subscription_details: { subscription: 'sub_1Basil', metadata: { referral_id: referralId } } },
  status_transitions: { paid_at: Math.floor(Date.now() / 1000) },
  status: 'paid',
});

/** The first invoice of a subscription as 2024-06-20 and older send it: `subscription` at the top level. */
const legacyFirstInvoice = (email: string, amountPaid: number) => ({
  id: `in_${randomBytes(6).toString('hex')}`,
  object: 'invoice',
  amount_paid: amountPaid,
  currency: 'usd',
  customer: 'cus_2',
  customer_email: email,
  billing_reason: 'subscription_create',
  metadata: {},
  subscription: 'sub_1Legacy',
  subscription_details: { metadata: {} },
  status_transitions: { paid_at: Math.floor(Date.now() / 1000) },
  status: 'paid',
});

function signature(raw: string, secret = SECRET, timestamp = Math.floor(Date.now() / 1000)) {
  return `t=${timestamp},v1=${createHmac('sha256', secret).update(`${timestamp}.${raw}`).digest('hex')}`;
}

async function deliver(event: object, sign: (raw: string) => string = signature) {
  const raw = JSON.stringify(event);
  const res = await h.app.request('/webhooks/stripe', {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'stripe-signature': sign(raw) },
    body: raw,
  });
  return { status: res.status, body: (await res.json()) as any };
}

const rule = (name: string, trigger: string, amount: unknown, extra: Record<string, unknown> = {}) => ({
  name,
  trigger,
  recipient: 'member',
  amount,
  kind: 'cash',
  ...extra,
});

describe('POST /webhooks/stripe', () => {
  it('invoice.paid in both shapes: renewal (basil, by referral_id) and purchase (legacy, by email) earn their rewards', async () => {
    const { program, member } = await programWithMember(h, [
      rule('10% of renewals', 'subscription_renewed', { type: 'percent', value: 10, cap: 15 }),
      rule('Purchase bonus', 'purchase', { type: 'fixed', value: 7 }),
    ]);
    const renewing = await convert(h, program.id, member.referralCode);
    const buying = await convert(h, program.id, member.referralCode);

    const renewal = await deliver(stripeEvent('invoice.paid', basilRenewal(renewing.id, 4900)));
    expect(renewal.status, JSON.stringify(renewal.body)).toBe(200);
    expect(renewal.body).toMatchObject({ received: true, duplicate: false });
    const purchase = await deliver(stripeEvent('invoice.paid', legacyFirstInvoice(buying.email.toUpperCase(), 2500), '2024-06-20'));
    expect(purchase.status, JSON.stringify(purchase.body)).toBe(200);
    expect(purchase.body).toMatchObject({ received: true, duplicate: false });

    const [renewalReward] = await waitForRewards(h, renewing.id, 1);
    expect(renewalReward).toMatchObject({ trigger: 'subscription_renewed', amount: 4.9, status: 'approved', memberId: member.id });
    const [purchaseReward] = await waitForRewards(h, buying.id, 1);
    expect(purchaseReward).toMatchObject({ trigger: 'purchase', amount: 7, status: 'approved' });
    const events = await h.db
      .sql`select referral_id, type, amount::float8 as amount, currency, idempotency_key from business_events where program_id = ${program.id} order by type`;
    expect(events).toEqual([
      { referral_id: buying.id, type: 'purchase', amount: 25, currency: 'USD', idempotency_key: expect.stringMatching(/^evt_/) },
      {
        referral_id: renewing.id,
        type: 'subscription_renewed',
        amount: 49,
        currency: 'USD',
        idempotency_key: expect.stringMatching(/^evt_/),
      },
    ]);
  });

  it('a replayed Stripe event (same id) records nothing new and earns no second reward', async () => {
    const { program, member } = await programWithMember(h, [rule('Renewal bonus', 'subscription_renewed', { type: 'fixed', value: 3 })]);
    const referral = await convert(h, program.id, member.referralCode);
    const event = stripeEvent('invoice.paid', basilRenewal(referral.id, 2900));
    const first = await deliver(event);
    await waitForRewards(h, referral.id, 1);
    // Stripe retries with a fresh signature over the same event.
    const replay = await deliver(event);
    expect(replay.status).toBe(200);
    expect(replay.body).toEqual({ received: true, eventId: first.body.eventId, duplicate: true });
    await settle(h, referral.id);
    expect(await rewardsOf(h, referral.id)).toHaveLength(1);
    expect(await h.db.sql`select id from business_events where referral_id = ${referral.id}`).toHaveLength(1);
    // Both deliveries are kept as Stripe sent them, with what each was answered.
    const kept = await h.db.sql<{ raw_body: string; status: number; answer: { duplicate: boolean } }[]>`
      select raw_body, status, answer from inbound_requests where source = 'stripe' and raw_body = ${JSON.stringify(event)} order by id`;
    expect(kept.map((r) => [r.status, r.answer.duplicate])).toEqual([
      [200, false],
      [200, true],
    ]);
  });

  it('charge.refunded records a refund, which cancels a reward still in hold', async () => {
    const { program, member } = await programWithMember(h, [
      rule('Held purchase bonus', 'purchase', { type: 'fixed', value: 20 }, { hold: '30d' }),
    ]);
    const referral = await convert(h, program.id, member.referralCode);
    await deliver(stripeEvent('invoice.paid', { ...legacyFirstInvoice(referral.email, 5000), metadata: { referral_id: referral.id } }));
    await waitForRewards(h, referral.id, 1, (r) => r.status === 'held');

    const refund = await deliver(
      stripeEvent('charge.refunded', {
        id: 'ch_1',
        object: 'charge',
        amount: 5000,
        amount_refunded: 5000,
        currency: 'usd',
        receipt_email: null,
        billing_details: { email: referral.email },
        metadata: {},
      }),
    );
    expect(refund.status, JSON.stringify(refund.body)).toBe(200);
    expect(refund.body.received).toBe(true);
    await waitForRewards(h, referral.id, 1, (r) => r.status === 'cancelled');
    const [row] = await h.db
      .sql`select type, amount::float8 as amount from business_events where referral_id = ${referral.id} and type = 'refund'`;
    expect(row).toEqual({ type: 'refund', amount: 50 });
  });

  it('a bad, stale or missing signature → 401 and nothing recorded', async () => {
    const { program, member } = await programWithMember(h, []);
    const referral = await convert(h, program.id, member.referralCode);
    const event = stripeEvent('invoice.paid', basilRenewal(referral.id, 1000));
    const attempts = [
      (raw: string) => signature(raw, `whsec_${randomBytes(24).toString('base64')}`),
      (raw: string) => signature(raw, SECRET, Math.floor(Date.now() / 1000) - 600),
      (raw: string) => signature(`${raw} `),
      () => '',
    ];
    for (const sign of attempts) {
      const res = await deliver(event, sign);
      expect(res.status).toBe(401);
      expect(res.body.error.code).toBe('unauthorized');
    }
    expect(await h.db.sql`select id from business_events where referral_id = ${referral.id}`).toHaveLength(0);
  });

  it('events the hub does not handle, or about nobody it can pin down, are acknowledged as ignored', async () => {
    const ignored = await deliver(stripeEvent('customer.created', { id: 'cus_9', object: 'customer' }));
    expect(ignored).toEqual({ status: 200, body: { ignored: true, reason: expect.any(String) } });
    const stranger = await deliver(stripeEvent('invoice.paid', legacyFirstInvoice('stranger@example.com', 1000)));
    expect(stranger.body).toMatchObject({ ignored: true });

    // The same email referred in two programs: no guessing which one the money belongs to.
    const a = await programWithMember(h, []);
    const b = await programWithMember(h, []);
    const email = `twice-${randomBytes(3).toString('hex')}@example.com`;
    await convert(h, a.program.id, a.member.referralCode, { email });
    await convert(h, b.program.id, b.member.referralCode, { email });
    const ambiguous = await deliver(stripeEvent('invoice.paid', legacyFirstInvoice(email, 1000)));
    expect(ambiguous).toEqual({ status: 200, body: { ignored: true, reason: 'referrals in several programs have this email' } });
    expect(await h.db.sql`select id from business_events where program_id in (${a.program.id}, ${b.program.id})`).toHaveLength(0);
  });

  it('a signed invoice.paid without the fields the hub needs → 422', async () => {
    const res = await deliver(stripeEvent('invoice.paid', { id: 'in_x', object: 'invoice', currency: 'usd' }));
    expect(res.status).toBe(422);
    expect(res.body.error.code).toBe('validation_failed');
  });
});
