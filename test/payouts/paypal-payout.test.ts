import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { convert, programWithMember } from '../support/fixtures.js';
import { createHarness, waitFor, type Harness } from '../support/hub-harness.js';
import { startLocalReceiver, type LocalReceiver } from '../support/start-local-receiver.js';
import { startPayPalFake, type PayPalFake } from '../support/paypal-fake.js';
import { contractSpecPath, startPrismProxy, type PrismMock } from '../support/prism-mock.js';

const CLIENT_ID = 'AYSq3RDGsmBLJE-otTkBtM-jBRd1TCQwFf9RGfwddNXWz0uFU9ztymylOhRS';
const CLIENT_SECRET = 'EGnHDxD_qRPdaLdZz8iCr8N7_MzF-YHPTkjs6NKYQvQSBngp4PTTVWkPZRbL';

let h: Harness;
let fake: PayPalFake;
let prism: PrismMock;
let receiver: LocalReceiver;

beforeAll(async () => {
  h = await createHarness();
  fake = await startPayPalFake({ clientId: CLIENT_ID, clientSecret: CLIENT_SECRET });
  prism = await startPrismProxy(contractSpecPath('paypal-payouts-v1.json'), fake.url, { bypass: (path) => path.startsWith('/v1/oauth2/') });
  receiver = await startLocalReceiver();
}, 120_000);
afterAll(async () => {
  await receiver?.close();
  await prism?.close();
  await fake?.close();
  await h?.close();
});

it('an approved $20 cash reward is paid through PayPal: reward and payout paid, references kept, reward.paid delivered', async () => {
  const { program, member } = await programWithMember(h, [
    { name: 'Referrer cash', trigger: 'conversion', recipient: 'member', amount: { type: 'fixed', value: 20 }, kind: 'cash' },
  ]);
  const hook = await h.call('POST', '/api/v1/connectors', {
    kind: 'webhook',
    name: 'Payout events',
    settings: { url: receiver.url },
    secrets: { signingSecret: `whsec_${randomBytes(32).toString('base64')}` },
    events: ['reward.paid', 'payout.paid'],
  });
  expect(hook.status, JSON.stringify(hook.body)).toBe(201);
  const paypal = await h.call('POST', '/api/v1/connectors', {
    kind: 'paypal',
    name: 'PayPal',
    settings: { baseUrl: prism.url, rewardKinds: ['cash'], emailSubject: 'You earned a reward' },
    secrets: { clientId: CLIENT_ID, clientSecret: CLIENT_SECRET },
    programIds: [program.id],
  });
  expect(paypal.status, JSON.stringify(paypal.body)).toBe(201);
  expect(JSON.stringify(paypal.body)).not.toContain(CLIENT_SECRET);

  const referral = await convert(h, program.id, member.referralCode);
  const payout = await waitFor(
    async () => {
      const list = await h.call('GET', `/api/v1/payouts?memberId=${member.id}`);
      const found = list.body.data[0];
      return found?.status === 'paid' ? found : undefined;
    },
    30_000,
    'the payout paid',
  );
  expect(payout).toMatchObject({
    programId: program.id,
    memberId: member.id,
    connectorId: paypal.body.id,
    provider: 'paypal',
    amount: 20,
    currency: 'USD',
  });
  const [batch] = [...fake.batches.values()];
  expect(fake.batches.size).toBe(1);
  expect(batch!.senderBatchId).toBe(payout.id);
  expect(batch!.items[0]!.amount).toEqual({ value: '20.00', currency: 'USD' });
  expect(payout.providerReference).toBe(`${batch!.payoutBatchId}/${batch!.items[0]!.payoutItemId}`);

  const rewards = await h.call('GET', `/api/v1/rewards?referralId=${referral.id}`);
  expect(rewards.body.data).toEqual([
    expect.objectContaining({ status: 'paid', payoutId: payout.id, payoutProvider: 'paypal', providerReference: payout.providerReference }),
  ]);

  await waitFor(async () => receiver.requests.some((r) => JSON.parse(r.body).type === 'reward.paid'), 30_000, 'reward.paid at the webhook');
  const paidEvent = receiver.requests.map((r) => JSON.parse(r.body)).find((e) => e.type === 'reward.paid');
  expect(paidEvent.data).toMatchObject({ id: rewards.body.data[0].id, status: 'paid', payoutId: payout.id });
  expect(prism.exchanges.filter((x) => x.violations !== undefined)).toEqual([]);
}, 90_000);
