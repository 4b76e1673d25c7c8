import { afterAll, beforeAll, expect, it } from 'vitest';
import { convert, programWithMember } from '../support/fixtures.js';
import { createHarness, waitFor, type Harness } from '../support/hub-harness.js';
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

let h: Harness;
let probe: PayoutProbe;
let paypal: PayPalFake;
let prism: PrismMock;
let tango: TangoCardFake;
// One per test, so the answers each test forces never reach another test's request.
let tremendous5xx: TremendousFake;
let tremendousReset: TremendousFake;
let tremendousEdited: TremendousFake;

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
  tremendous5xx = await startTremendousFake({ apiKey: TREMENDOUS_KEY, deliverAfterReads: 1 });
  tremendousReset = await startTremendousFake({ apiKey: TREMENDOUS_KEY, deliverAfterReads: 1 });
  tremendousEdited = await startTremendousFake({ apiKey: TREMENDOUS_KEY, deliverAfterReads: 1 });
}, 120_000);
afterAll(async () => {
  await prism?.close();
  await paypal?.close();
  await tango?.close();
  await tremendous5xx?.close();
  await tremendousReset?.close();
  await tremendousEdited?.close();
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

async function expectPaidOnce(memberId: string) {
  const paid = await probe.waitForStatus(memberId, 'paid');
  expect(paid.attempts).toBe(1);
  expect((await probe.rewards(paid.id)).map((r) => r.status)).toEqual(['paid']);
  const events = await probe.events(paid.id);
  expect(events.filter((type) => type === 'payout.paid')).toHaveLength(1);
  expect(events).not.toContain('payout.failed');
  return paid;
}

const tremendousConnector = (fake: TremendousFake) => ({
  kind: 'tremendous',
  name: 'Tremendous',
  settings: { baseUrl: fake.url, rewardKinds: ['cash'], campaignId: 'CAMP1' },
  secrets: { apiKey: TREMENDOUS_KEY },
});

it.concurrent(
  'PayPal 500 after it created the batch (answer lost): the retry gets the duplicate answer, reads that batch, and pays once',
  async () => {
    paypal.failNext({ status: 500, afterCreate: true, method: 'POST' });
    const { member } = await payoutProgram('cash', {
      kind: 'paypal',
      name: 'PayPal',
      settings: { baseUrl: prism.url, rewardKinds: ['cash'] },
      secrets: { clientId: CLIENT_ID, clientSecret: CLIENT_SECRET },
    });
    const paid = await expectPaidOnce(member.id);

    const creates = prism.exchanges.filter((x) => x.method === 'POST');
    expect(creates.map((x) => x.status)).toEqual([500, 400]);
    expect(creates.map((x) => JSON.parse(x.requestBody).sender_batch_header.sender_batch_id)).toEqual([paid.id, paid.id]);
    const batches = [...paypal.batches.values()];
    expect(batches.map((b) => b.senderBatchId)).toEqual([paid.id]);
    expect(paid.providerReference).toBe(`${batches[0]!.payoutBatchId}/${batches[0]!.items[0]!.payoutItemId}`);
    expect(prism.exchanges.filter((x) => x.violations !== undefined)).toEqual([]);
  },
  60_000,
);

it.concurrent(
  'Tremendous 502 after placing the order: the retry sends the same external_id and gets that order back',
  async () => {
    tremendous5xx.forceNext({ status: 502, afterCommit: true });
    const { member } = await payoutProgram('cash', tremendousConnector(tremendous5xx));
    const paid = await expectPaidOnce(member.id);

    const creates = tremendous5xx.requests.filter((r) => r.method === 'POST');
    expect(creates.map((r) => JSON.parse(r.body).external_id)).toEqual([paid.id, paid.id]);
    // The same payload both times: Tremendous answers a repeated external_id with the first order only then.
    expect(creates[1]!.body).toBe(creates[0]!.body);
    const orders = [...tremendous5xx.orders.values()];
    expect(orders.map((o) => o.externalId)).toEqual([paid.id]);
    expect(paid.providerReference).toBe(`${orders[0]!.id}/${orders[0]!.reward.id}`);
  },
  60_000,
);

it.concurrent(
  'Tremendous resetting the connection after placing the order (network error): the retry finds the order, one order in all',
  async () => {
    tremendousReset.forceNext({ drop: true, afterCommit: true });
    const { member } = await payoutProgram('cash', tremendousConnector(tremendousReset));
    const paid = await expectPaidOnce(member.id);

    const creates = tremendousReset.requests.filter((r) => r.method === 'POST');
    expect(creates.map((r) => JSON.parse(r.body).external_id)).toEqual([paid.id, paid.id]);
    expect([...tremendousReset.orders.values()].map((o) => o.externalId)).toEqual([paid.id]);
  },
  60_000,
);

it.concurrent(
  'Tango Card 503 after placing the order: the retry with the same externalRefID gets the order back',
  async () => {
    tango.forceNext({ status: 503, afterProcessing: true });
    const { member } = await payoutProgram('gift_card', {
      kind: 'tangocard',
      name: 'Tango Card',
      settings: { baseUrl: tango.baseUrl, rewardKinds: ['gift_card'], ...ACCOUNT, utid: UTID },
      secrets: TANGO,
    });
    const paid = await expectPaidOnce(member.id);

    const creates = tango.requests.filter((r) => r.method === 'POST' && r.path === '/raas/v2/orders');
    expect(creates.map((r) => JSON.parse(r.body).externalRefID)).toEqual([paid.id, paid.id]);
    expect([...tango.orders.values()].map((o) => o.externalRefID)).toEqual([paid.id]);
    expect(tango.balance(ACCOUNT.accountIdentifier)).toBe(980);
  },
  60_000,
);

it.concurrent(
  'Tremendous: the member renamed between a lost answer and the retry (409, other details): the payout follows the order already placed',
  async () => {
    // The answer to the order is held, then the connection reset, so the rename falls between the attempts.
    tremendousEdited.forceNext({ holdAfterCommit: true });
    const { member } = await payoutProgram('cash', tremendousConnector(tremendousEdited));
    await waitFor(async () => tremendousEdited.held === 1, 30_000, 'Tremendous holding the answer to the order');
    const renamed = await h.call('PATCH', `/api/v1/members/${member.id}`, { firstName: 'Annabel', lastName: 'Lee' });
    expect(renamed.status, JSON.stringify(renamed.body)).toBe(200);
    tremendousEdited.releaseHeld('drop');

    const paid = await expectPaidOnce(member.id);
    const creates = tremendousEdited.requests.filter((r) => r.method === 'POST');
    expect(creates.map((r) => JSON.parse(r.body).external_id)).toEqual([paid.id, paid.id]);
    expect(creates.map((r) => JSON.parse(r.body).reward.recipient.name)).toEqual(['Ann', 'Annabel Lee']);
    const orders = [...tremendousEdited.orders.values()];
    expect(orders.map((o) => o.externalId)).toEqual([paid.id]);
    expect(paid.providerReference).toBe(`${orders[0]!.id}/${orders[0]!.reward.id}`);
    expect(tremendousEdited.balance).toBe(980);
  },
  60_000,
);
