import { afterAll, beforeAll, expect, it } from 'vitest';
import { convert, programWithMember, settle, waitForRewards } from '../support/fixtures.js';
import { createHarness, type Harness } from '../support/hub-harness.js';
import { startPayPalFake, type PayPalFake } from '../support/paypal-fake.js';
import { createConnector, payoutsOf, waitForPayout, waitForPayoutState } from '../support/payout-fixtures.js';
import { contractSpecPath, startPrismProxy, type PrismMock } from '../support/prism-mock.js';

const CLIENT_ID = 'AYSq3RDGsmBLJE-heldPayoutsClientId0123456789abcdefghijklmnopq';
const CLIENT_SECRET = 'EGnHDxD_qRPdaLdZz8iCr8N7_heldPayoutsSecret0123456789abcdefghijk';

let h: Harness;
let fake: PayPalFake;
let prism: PrismMock;

beforeAll(async () => {
  h = await createHarness();
  fake = await startPayPalFake({ clientId: CLIENT_ID, clientSecret: CLIENT_SECRET });
  prism = await startPrismProxy(contractSpecPath('paypal-payouts-v1.json'), fake.url, { bypass: (path) => path.startsWith('/v1/oauth2/') });
  await createConnector(h, {
    kind: 'paypal',
    name: 'PayPal',
    settings: { baseUrl: prism.url, rewardKinds: ['cash'] },
    secrets: { clientId: CLIENT_ID, clientSecret: CLIENT_SECRET },
  });
}, 120_000);
afterAll(async () => {
  await prism?.close();
  await fake?.close();
  await h?.close();
});

const cashRule = (value: number) => [
  { name: 'Referrer cash', trigger: 'conversion', recipient: 'member', amount: { type: 'fixed', value }, kind: 'cash' },
];

/** Batches PayPal holds for this payout (its id is the sender_batch_id), and the create requests that named it. */
function atPayPal(payoutId: string) {
  const batches = [...fake.batches.values()].filter((b) => b.senderBatchId === payoutId);
  const creates = fake.apiRequests.filter(
    (r) =>
      r.method === 'POST' &&
      (r.body as { sender_batch_header?: { sender_batch_id?: string } })?.sender_batch_header?.sender_batch_id === payoutId,
  );
  return { batches, creates };
}

it('autoPay off: the payout stays pending until sent; a double click sends it once and it ends paid', async () => {
  const { program, member } = await programWithMember(h, cashRule(20), { payouts: { autoPay: false } });
  expect(program.payouts).toEqual({ minimumAmount: 0, autoPay: false, dailyCapPerMember: null });
  const referral = await convert(h, program.id, member.referralCode);
  const pending = await waitForPayout(h, member.id, (p) => p.status === 'pending', 20_000, 'a pending payout');
  expect(pending).toMatchObject({ holdReason: 'auto_pay_off', amount: 20, connectorId: null, attempts: 0 });
  const [reward] = await waitForRewards(h, referral.id, 1);
  expect(reward).toMatchObject({ status: 'approved', payoutId: pending.id });

  // Nothing moves on its own.
  await settle(h, referral.id, 2000);
  expect((await h.call('GET', `/api/v1/payouts/${pending.id}`)).body).toMatchObject({ status: 'pending', holdReason: 'auto_pay_off' });
  expect(atPayPal(pending.id).creates).toEqual([]);

  const sends = await Promise.all([1, 2].map(() => h.call('POST', `/api/v1/payouts/${pending.id}/send`)));
  expect(sends.map((s) => s.status)).toEqual([202, 202]);
  expect(sends.every((s) => s.body.id === pending.id && s.body.status !== 'pending')).toBe(true);

  const paid = await waitForPayoutState(h, pending.id, (p) => p.status === 'paid', 20_000);
  expect(paid).toMatchObject({ holdReason: null, attempts: 1, provider: 'paypal' });
  await settle(h, referral.id, 1000);
  const { batches, creates } = atPayPal(pending.id);
  expect(batches).toHaveLength(1);
  expect(creates).toHaveLength(1);
  expect(paid.providerReference).toBe(`${batches[0]!.payoutBatchId}/${batches[0]!.items[0]!.payoutItemId}`);
  expect((await waitForRewards(h, referral.id, 1))[0]).toMatchObject({ status: 'paid', payoutId: pending.id });
  expect(prism.exchanges.filter((x) => x.violations !== undefined)).toEqual([]);
}, 60_000);

it("dailyCapPerMember: a payout above the member's cap in 24 h waits pending (daily_cap) until sent; other members are not held", async () => {
  const { program, member } = await programWithMember(h, cashRule(20), { payouts: { dailyCapPerMember: 30 } });
  const first = await convert(h, program.id, member.referralCode);
  const firstPayout = await waitForPayout(h, member.id, (p) => p.status === 'paid', 20_000, 'the first payout paid');
  expect(firstPayout).toMatchObject({ amount: 20, holdReason: null, rewardIds: [(await waitForRewards(h, first.id, 1))[0].id] });

  // $20 more would make $40 in 24 hours, above the $30 cap.
  const second = await convert(h, program.id, member.referralCode);
  const held = await waitForPayout(h, member.id, (p) => p.status === 'pending', 20_000, 'the second payout held');
  expect(held).toMatchObject({ amount: 20, holdReason: 'daily_cap', connectorId: null });
  // The cap is per member: another member of the program is paid at once.
  const other = await h.call('POST', '/api/v1/members', { programId: program.id, email: `bo-${Date.now()}@acme-partners.test` });
  expect(other.status).toBe(201);
  await convert(h, program.id, other.body.referralCode);
  await waitForPayout(h, other.body.id, (p) => p.status === 'paid', 20_000, "the other member's payout paid");

  await settle(h, second.id, 2000);
  expect((await h.call('GET', `/api/v1/payouts/${held.id}`)).body).toMatchObject({ status: 'pending', holdReason: 'daily_cap' });
  expect(atPayPal(held.id).creates).toEqual([]);
  expect((await waitForRewards(h, second.id, 1))[0]).toMatchObject({ status: 'approved', payoutId: held.id });

  const sent = await h.call('POST', `/api/v1/payouts/${held.id}/send`);
  expect(sent.status, JSON.stringify(sent.body)).toBe(202);
  const paid = await waitForPayoutState(h, held.id, (p) => p.status === 'paid', 20_000);
  expect(paid).toMatchObject({ holdReason: null, attempts: 1 });
  expect(atPayPal(held.id).batches).toHaveLength(1);
  expect((await payoutsOf(h, member.id)).map((p) => p.status)).toEqual(['paid', 'paid']);
  expect((await waitForRewards(h, second.id, 1))[0]).toMatchObject({ status: 'paid', payoutId: held.id });
}, 60_000);
