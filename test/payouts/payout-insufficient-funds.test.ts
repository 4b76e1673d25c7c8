import { afterAll, beforeAll, expect, it } from 'vitest';
import { convert, programWithMember } from '../support/fixtures.js';
import { createHarness, type Harness } from '../support/hub-harness.js';
import { payoutProbe, type PayoutProbe } from '../support/payout-probe.js';
import { startPayPalFake, type PayPalFake } from '../support/paypal-fake.js';
import { contractSpecPath, startPrismProxy, type PrismMock } from '../support/prism-mock.js';
import { startTangoCardFake, type TangoCardFake } from '../support/tangocard-fake.js';
import {
  PAYPAL_CLIENT_ID as CLIENT_ID,
  PAYPAL_CLIENT_SECRET as CLIENT_SECRET,
  TANGO,
  TANGO_ACCOUNT as ACCOUNT,
  TANGO_UTID as UTID,
} from '../support/payout-credentials.js';

let h: Harness;
let probe: PayoutProbe;
let paypal: PayPalFake;
let prism: PrismMock;
let tango: TangoCardFake;

beforeAll(async () => {
  h = await createHarness();
  probe = payoutProbe(h);
  paypal = await startPayPalFake({ clientId: CLIENT_ID, clientSecret: CLIENT_SECRET });
  prism = await startPrismProxy(contractSpecPath('paypal-payouts-v1.json'), paypal.url, {
    bypass: (path) => path.startsWith('/v1/oauth2/'),
  });
  tango = await startTangoCardFake({
    ...TANGO,
    accounts: [{ ...ACCOUNT, balance: 5 }],
    catalog: [{ utid: UTID, rewardName: 'Amazon.com Gift Card', currencyCode: 'USD', minValue: 1, maxValue: 2000 }],
  });
}, 120_000);
afterAll(async () => {
  await prism?.close();
  await paypal?.close();
  await tango?.close();
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

/** Failed for want of funds, with the provider's words, its reward failed with the events to say so. */
async function expectUnfunded(memberId: string, reason: string) {
  const failed = await probe.waitForStatus(memberId, 'failed');
  expect(failed).toMatchObject({ failureCode: 'insufficient_funds', failureReason: reason, attempts: 1 });
  expect((await probe.rewards(failed.id)).map((r) => r.status)).toEqual(['failed']);
  expect(await probe.events(failed.id)).toEqual(expect.arrayContaining(['payout.failed', 'reward.failed']));
  return failed;
}

/** After the retry: paid once, the rewards paid, and the event log tells both attempts in order. */
async function expectPaidOnRetry(memberId: string, payoutId: string) {
  const retried = await h.call('POST', `/api/v1/payouts/${payoutId}/retry`);
  expect(retried.status, JSON.stringify(retried.body)).toBe(202);
  const paid = await probe.waitForStatus(memberId, 'paid');
  expect(paid).toMatchObject({ id: payoutId, failureCode: null, failureReason: null, attempts: 2 });
  expect((await probe.rewards(payoutId)).map((r) => r.status)).toEqual(['paid']);
  const settled = (await probe.events(payoutId)).filter((type) => /^(payout|reward)\.(paid|failed)$/.test(type));
  expect(settled).toEqual(['payout.failed', 'reward.failed', 'payout.paid', 'reward.paid']);
  return paid;
}

it('Tango Card 402: the payout fails as insufficient_funds; after a top-up the retry places one order under the same externalRefID', async () => {
  const { member } = await payoutProgram('gift_card', {
    kind: 'tangocard',
    name: 'Tango Card',
    settings: { baseUrl: tango.baseUrl, rewardKinds: ['gift_card'], ...ACCOUNT, utid: UTID },
    secrets: TANGO,
  });
  const failed = await expectUnfunded(member.id, 'Insufficient funds: the account balance does not cover this order.');
  expect(tango.orders.size).toBe(0);

  tango.topUp(ACCOUNT.accountIdentifier, 100);
  const paid = await expectPaidOnRetry(member.id, failed.id);

  const creates = tango.requests.filter((r) => r.method === 'POST' && r.path === '/raas/v2/orders');
  expect(creates.map((r) => JSON.parse(r.body).externalRefID)).toEqual([failed.id, failed.id]);
  expect([...tango.orders.values()].map((o) => ({ externalRefID: o.externalRefID, amount: o.amount }))).toEqual([
    { externalRefID: failed.id, amount: 20 },
  ]);
  expect(paid.providerReference).toBe([...tango.orders.keys()][0]);
  expect(tango.balance(ACCOUNT.accountIdentifier)).toBe(85);
}, 60_000);

it('PayPal INSUFFICIENT_FUNDS (balance too low): the payout fails; after a top-up the retry creates one batch under the same sender_batch_id', async () => {
  paypal.balance.set('USD', 5);
  const { member } = await payoutProgram('cash', {
    kind: 'paypal',
    name: 'PayPal',
    settings: { baseUrl: prism.url, rewardKinds: ['cash'] },
    secrets: { clientId: CLIENT_ID, clientSecret: CLIENT_SECRET },
  });
  const failed = await expectUnfunded(member.id, 'Sender does not have sufficient funds. Please add funds and retry.');
  expect(paypal.batches.size).toBe(0);

  paypal.balance.set('USD', 1000);
  const paid = await expectPaidOnRetry(member.id, failed.id);

  const creates = paypal.apiRequests.filter((r) => r.method === 'POST');
  expect(creates.map((r) => (r.body as any).sender_batch_header.sender_batch_id)).toEqual([failed.id, failed.id]);
  expect(creates.map((r) => (r.body as any).items[0].sender_item_id)).toEqual([failed.id, failed.id]);
  const batches = [...paypal.batches.values()];
  expect(batches.map((b) => b.senderBatchId)).toEqual([failed.id]);
  expect(paid.providerReference).toBe(`${batches[0]!.payoutBatchId}/${batches[0]!.items[0]!.payoutItemId}`);
  expect(paypal.balance.get('USD')).toBe(980);
  expect(prism.exchanges.map((x) => x.status)).toContain(422);
  expect(prism.exchanges.filter((x) => x.violations !== undefined)).toEqual([]);
}, 60_000);
