import { afterAll, beforeAll, expect, it } from 'vitest';
import { convert, programWithMember } from '../support/fixtures.js';
import { createHarness, waitFor, type Harness } from '../support/hub-harness.js';
import { payoutProbe, type PayoutProbe } from '../support/payout-probe.js';
import { startPayPalFake, type ItemPlan, type PayPalFake } from '../support/paypal-fake.js';
import { contractSpecPath, startPrismProxy, type PrismMock } from '../support/prism-mock.js';

const CLIENT_ID = 'AYSq3RDGsmBLJE-otTkBtM-jBRd1TCQwFf9RGfwddNXWz0uFU9ztymylOhRS';
const CLIENT_SECRET = 'EGnHDxD_qRPdaLdZz8iCr8N7_MzF-YHPTkjs6NKYQvQSBngp4PTTVWkPZRbL';

let h: Harness;
let probe: PayoutProbe;
let paypal: PayPalFake;
let prism: PrismMock;

beforeAll(async () => {
  h = await createHarness();
  probe = payoutProbe(h);
  paypal = await startPayPalFake({ clientId: CLIENT_ID, clientSecret: CLIENT_SECRET });
  prism = await startPrismProxy(contractSpecPath('paypal-payouts-v1.json'), paypal.url, {
    bypass: (path) => path.startsWith('/v1/oauth2/'),
  });
}, 120_000);
afterAll(async () => {
  await prism?.close();
  await paypal?.close();
  await h?.close();
});

const batchReads = () => paypal.apiRequests.filter((r) => r.method === 'GET').length;

it('an item PayPal holds UNCLAIMED keeps the payout unclaimed (neither paid nor failed) until the recipient claims it, then paid', async () => {
  const { program, member } = await programWithMember(h, [
    { name: 'Referrer cash', trigger: 'conversion', recipient: 'member', amount: { type: 'fixed', value: 20 }, kind: 'cash' },
  ]);
  // The recipient has no PayPal account yet: every read says UNCLAIMED until the test lets them claim it.
  const plan: ItemPlan = { statuses: ['UNCLAIMED'] };
  paypal.plans.set(member.email, plan);
  const connector = await h.call('POST', '/api/v1/connectors', {
    kind: 'paypal',
    name: 'PayPal',
    settings: { baseUrl: prism.url, rewardKinds: ['cash'] },
    secrets: { clientId: CLIENT_ID, clientSecret: CLIENT_SECRET },
    programIds: [program.id],
  });
  expect(connector.status, JSON.stringify(connector.body)).toBe(201);
  await convert(h, program.id, member.referralCode);

  const unclaimed = await probe.waitForStatus(member.id, 'unclaimed');
  const [batch] = [...paypal.batches.values()];
  expect(unclaimed).toMatchObject({
    providerReference: `${batch!.payoutBatchId}/${batch!.items[0]!.payoutItemId}`,
    failureCode: null,
    paidAt: null,
  });
  expect(unclaimed.sentAt).not.toBeNull();
  // Still unclaimed after the workflow looked again (the first poll comes 2 s after the send).
  const readsAtUnclaimed = batchReads();
  await waitFor(async () => batchReads() > readsAtUnclaimed, 10_000, 'the workflow polling PayPal again');
  expect((await probe.get(unclaimed.id)).status).toBe('unclaimed');
  expect((await probe.rewards(unclaimed.id)).map((r) => r.status)).toEqual(['paying']);
  const events = await probe.events(unclaimed.id);
  expect(events).not.toContain('payout.paid');
  expect(events).not.toContain('payout.failed');
  expect((await probe.workflow(unclaimed.id)).status).toBe('RUNNING');

  // The recipient signs up and claims the money: the next read says SUCCESS.
  plan.statuses.push('SUCCESS');
  const paid = await probe.waitForStatus(member.id, 'paid', 30_000);
  expect(paid).toMatchObject({ id: unclaimed.id, providerReference: unclaimed.providerReference, failureCode: null });
  expect((await probe.rewards(paid.id)).map((r) => r.status)).toEqual(['paid']);
  expect((await probe.events(paid.id)).filter((type) => type === 'payout.paid' || type === 'reward.paid')).toEqual([
    'payout.paid',
    'reward.paid',
  ]);
  expect(paypal.batches.size).toBe(1);
  expect(paypal.apiRequests.filter((r) => r.method === 'POST')).toHaveLength(1);
  expect(prism.exchanges.filter((x) => x.violations !== undefined)).toEqual([]);
}, 60_000);
