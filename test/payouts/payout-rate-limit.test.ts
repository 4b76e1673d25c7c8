import { afterAll, beforeAll, expect, it } from 'vitest';
import { convert, programWithMember } from '../support/fixtures.js';
import { createHarness, type Harness } from '../support/hub-harness.js';
import { payoutProbe, type PayoutProbe } from '../support/payout-probe.js';
import { startPayPalFake, type PayPalFake } from '../support/paypal-fake.js';
import { contractSpecPath, startPrismProxy, type PrismMock } from '../support/prism-mock.js';
import { startTangoCardFake, type TangoCardFake } from '../support/tangocard-fake.js';
import { startTremendousFake, type TremendousFake } from '../support/tremendous-fake.js';
import {
  PAYPAL_CLIENT_ID as CLIENT_ID,
  PAYPAL_CLIENT_SECRET as CLIENT_SECRET,
  TANGO,
  TANGO_ACCOUNT as ACCOUNT,
  TANGO_UTID as UTID,
  TREMENDOUS_KEY,
} from '../support/payout-credentials.js';

// Tremendous sends no Retry-After and asks for a pause of about 30 s after a 429.
const TREMENDOUS_PAUSE_MS = 30_000;
// A retry may start a little after the wait (a task to schedule, a worker to poll), never before it.
const LATE_BY_AT_MOST_MS = 2_500;

let h: Harness;
let probe: PayoutProbe;
let paypal: PayPalFake;
let prism: PrismMock;
let tango: TangoCardFake;
let tremendous: TremendousFake;

beforeAll(async () => {
  h = await createHarness();
  probe = payoutProbe(h);
  paypal = await startPayPalFake({ clientId: CLIENT_ID, clientSecret: CLIENT_SECRET });
  prism = await startPrismProxy(contractSpecPath('paypal-payouts-v1.json'), paypal.url, {
    bypass: (path) => path.startsWith('/v1/oauth2/'),
  });
  tango = await startTangoCardFake({
    ...TANGO,
    accounts: [{ ...ACCOUNT, balance: 1000 }],
    catalog: [{ utid: UTID, rewardName: 'Amazon.com Gift Card', currencyCode: 'USD', minValue: 1, maxValue: 2000 }],
  });
  tremendous = await startTremendousFake({ apiKey: TREMENDOUS_KEY, deliverAfterReads: 1 });
}, 120_000);
afterAll(async () => {
  await prism?.close();
  await paypal?.close();
  await tango?.close();
  await tremendous?.close();
  await h?.close();
});

async function payoutProgram(kind: string, connector: Record<string, unknown>) {
  const { program, member } = await programWithMember(h, [
    { name: 'Referrer reward', trigger: 'conversion', recipient: 'member', amount: { type: 'fixed', value: 20 }, kind },
  ]);
  const created = await h.call('POST', '/api/v1/connectors', { ...connector, programIds: [program.id] });
  expect(created.status, JSON.stringify(created.body)).toBe(201);
  await convert(h, program.id, member.referralCode);
  return { program, member };
}

/** The waits between consecutive sends, as the provider saw them. */
const gaps = (times: number[]) => times.slice(1).map((at, i) => at - times[i]!);

function expectWaited(measured: number[], asked: number[]) {
  expect(measured).toHaveLength(asked.length);
  measured.forEach((gap, i) => {
    expect(gap, `wait ${i + 1}: ${gap} ms for ${asked[i]} ms asked`).toBeGreaterThanOrEqual(asked[i]!);
    expect(gap, `wait ${i + 1}: ${gap} ms for ${asked[i]} ms asked`).toBeLessThan(asked[i]! + LATE_BY_AT_MOST_MS);
  });
}

async function expectPaidOnce(memberId: string) {
  const paid = await probe.waitForStatus(memberId, 'paid', 60_000);
  expect((await probe.rewards(paid.id)).map((r) => r.status)).toEqual(['paid']);
  expect((await probe.events(paid.id)).filter((type) => type === 'payout.paid')).toHaveLength(1);
  return paid;
}

it.concurrent(
  'PayPal 429 twice with Retry-After 2 then 3: each retry waits as asked, and the payout is paid with one batch',
  async () => {
    paypal.failNext({ status: 429, retryAfter: '2', method: 'POST' });
    paypal.failNext({ status: 429, retryAfter: '3', method: 'POST' });
    const { member } = await payoutProgram('cash', {
      kind: 'paypal',
      name: 'PayPal',
      settings: { baseUrl: prism.url, rewardKinds: ['cash'] },
      secrets: { clientId: CLIENT_ID, clientSecret: CLIENT_SECRET },
    });
    const paid = await expectPaidOnce(member.id);

    const creates = paypal.apiRequests.filter((r) => r.method === 'POST');
    expect(creates.map((r) => (r.body as any).sender_batch_header.sender_batch_id)).toEqual([paid.id, paid.id, paid.id]);
    expectWaited(gaps(creates.map((r) => r.at)), [2_000, 3_000]);
    expect([...paypal.batches.values()].map((b) => b.senderBatchId)).toEqual([paid.id]);
    expect(prism.exchanges.filter((x) => x.status === 429)).toHaveLength(2);
    expect(prism.exchanges.filter((x) => x.violations !== undefined)).toEqual([]);
  },
  60_000,
);

it.concurrent(
  'Tango Card 429 with Retry-After 3: the retry waits 3 s, and one order is placed',
  async () => {
    tango.forceNext({ status: 429, retryAfter: '3' });
    const { member } = await payoutProgram('gift_card', {
      kind: 'tangocard',
      name: 'Tango Card',
      settings: { baseUrl: tango.baseUrl, rewardKinds: ['gift_card'], ...ACCOUNT, utid: UTID },
      secrets: TANGO,
    });
    const paid = await expectPaidOnce(member.id);

    const creates = tango.requests.filter((r) => r.method === 'POST' && r.path === '/raas/v2/orders');
    expect(creates.map((r) => JSON.parse(r.body).externalRefID)).toEqual([paid.id, paid.id]);
    expectWaited(gaps(creates.map((r) => r.at)), [3_000]);
    expect([...tango.orders.values()].map((o) => o.externalRefID)).toEqual([paid.id]);
  },
  60_000,
);

it.concurrent(
  'Tremendous 429 (no Retry-After): the retry pauses the 30 s Tremendous asks for, and one order is placed',
  async () => {
    tremendous.forceNext({ status: 429 });
    const { member } = await payoutProgram('cash', {
      kind: 'tremendous',
      name: 'Tremendous',
      settings: { baseUrl: tremendous.url, rewardKinds: ['cash'], campaignId: 'CAMP1' },
      secrets: { apiKey: TREMENDOUS_KEY },
    });
    const paid = await expectPaidOnce(member.id);

    const creates = tremendous.requests.filter((r) => r.method === 'POST');
    expect(creates.map((r) => JSON.parse(r.body).external_id)).toEqual([paid.id, paid.id]);
    expectWaited(gaps(creates.map((r) => r.at)), [TREMENDOUS_PAUSE_MS]);
    expect([...tremendous.orders.values()].map((o) => o.externalId)).toEqual([paid.id]);
  },
  60_000,
);
