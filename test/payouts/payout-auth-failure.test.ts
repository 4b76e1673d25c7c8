import { afterAll, beforeAll, expect, it } from 'vitest';
import { convert, programWithMember } from '../support/fixtures.js';
import { createHarness, waitFor, type Harness } from '../support/hub-harness.js';
import { payoutProbe, type PayoutProbe } from '../support/payout-probe.js';
import { startPayPalFake, type PayPalFake } from '../support/paypal-fake.js';
import { contractSpecPath, startPrismProxy, type PrismMock } from '../support/prism-mock.js';
import { startTremendousFake, type TremendousFake } from '../support/tremendous-fake.js';

const CLIENT_ID = 'AYSq3RDGsmBLJE-otTkBtM-jBRd1TCQwFf9RGfwddNXWz0uFU9ztymylOhRS';
const CLIENT_SECRET = 'EGnHDxD_qRPdaLdZz8iCr8N7_MzF-YHPTkjs6NKYQvQSBngp4PTTVWkPZRbL';
const TREMENDOUS_KEY = 'TEST_Kq9vX2mL7pR4sT8wY1zA3bC6dE5fG0hJ';
const WRONG_TREMENDOUS_KEY = 'TEST_revoked_0000000000000000000000000';

let h: Harness;
let probe: PayoutProbe;
let paypal: PayPalFake;
let prism: PrismMock;
let tremendous: TremendousFake;

beforeAll(async () => {
  h = await createHarness();
  probe = payoutProbe(h);
  paypal = await startPayPalFake({ clientId: CLIENT_ID, clientSecret: CLIENT_SECRET });
  prism = await startPrismProxy(contractSpecPath('paypal-payouts-v1.json'), paypal.url, {
    bypass: (path) => path.startsWith('/v1/oauth2/'),
  });
  tremendous = await startTremendousFake({ apiKey: TREMENDOUS_KEY, deliverAfterReads: 1 });
}, 120_000);
afterAll(async () => {
  await prism?.close();
  await paypal?.close();
  await tremendous?.close();
  await h?.close();
});

const cashRule = { name: 'Referrer cash', trigger: 'conversion', recipient: 'member', amount: { type: 'fixed', value: 20 }, kind: 'cash' };

async function createConnector(body: Record<string, unknown>) {
  const res = await h.call('POST', '/api/v1/connectors', body);
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  return res.body;
}

/** The refused payout, its rewards and events, the connector, and that the workflow stopped trying. */
async function expectRefusedCredentials(memberId: string, connectorId: string, kind: string, secrets: string[]) {
  const payout = await probe.waitForStatus(memberId, 'failed');
  expect(payout.failureCode).toBe('auth');
  expect(payout.failureReason).toContain(`${kind} refused the credentials`);
  expect(payout.failureReason).toContain('HTTP 401');
  const rewards = await probe.rewards(payout.id);
  expect(rewards.map((r) => r.status)).toEqual(['failed']);
  const events = await probe.events(payout.id);
  expect(events.filter((type) => type === 'payout.failed')).toHaveLength(1);
  expect(events.filter((type) => type === 'reward.failed')).toHaveLength(1);
  expect(events).not.toContain('payout.paid');

  const connector = await h.call('GET', `/api/v1/connectors/${connectorId}`);
  expect(connector.body).toMatchObject({ status: 'failing' });
  expect(connector.body.statusReason).toContain(`${kind} refused the credentials`);
  expect(connector.body.statusReason).toContain('HTTP 401');
  for (const secret of secrets) {
    expect(JSON.stringify(connector.body)).not.toContain(secret);
    expect(JSON.stringify(payout)).not.toContain(secret);
  }
  // Not retried: a refused credential never works by asking again.
  await waitFor(async () => (await probe.workflow(payout.id)).status === 'COMPLETED', 10_000, 'the payout workflow ended');
  return payout;
}

it('PayPal refusing every token (401): the payout fails with failureCode auth, its reward fails, and the connector is failing', async () => {
  paypal.issueDeadTokens = true;
  const { program, member } = await programWithMember(h, [cashRule]);
  const connector = await createConnector({
    kind: 'paypal',
    name: 'PayPal',
    settings: { baseUrl: prism.url, rewardKinds: ['cash'] },
    secrets: { clientId: CLIENT_ID, clientSecret: CLIENT_SECRET },
    programIds: [program.id],
  });
  await convert(h, program.id, member.referralCode);

  const payout = await expectRefusedCredentials(member.id, connector.id, 'paypal', [CLIENT_SECRET]);
  expect(payout.failureReason).toContain('AUTHENTICATION_FAILURE');
  // The session asks for a new token once after a 401, then gives up: one create, one resend, no batch.
  const creates = paypal.apiRequests.filter((r) => r.method === 'POST');
  expect(creates).toHaveLength(2);
  expect(creates.map((r) => (r.body as any).sender_batch_header.sender_batch_id)).toEqual([payout.id, payout.id]);
  expect(paypal.batches.size).toBe(0);
  expect(prism.exchanges.filter((x) => x.violations !== undefined)).toEqual([]);
}, 60_000);

it('Tremendous refusing the API key (401): the payout fails with failureCode auth and the connector is failing; fixing the key and retrying pays', async () => {
  const { program, member } = await programWithMember(h, [cashRule]);
  const connector = await createConnector({
    kind: 'tremendous',
    name: 'Tremendous',
    settings: { baseUrl: tremendous.url, rewardKinds: ['cash'], campaignId: 'CAMP1' },
    secrets: { apiKey: WRONG_TREMENDOUS_KEY },
    programIds: [program.id],
  });
  await convert(h, program.id, member.referralCode);

  const payout = await expectRefusedCredentials(member.id, connector.id, 'tremendous', [WRONG_TREMENDOUS_KEY]);
  expect(payout.failureReason).toContain('Unauthorized');
  expect(tremendous.orders.size).toBe(0);
  expect(tremendous.requests.filter((r) => r.method === 'POST')).toHaveLength(1);

  // New secrets give the connector a fresh start; the failed payout goes again with the same key.
  const fixed = await h.call('PATCH', `/api/v1/connectors/${connector.id}`, { secrets: { apiKey: TREMENDOUS_KEY } });
  expect(fixed.status, JSON.stringify(fixed.body)).toBe(200);
  expect(fixed.body).toMatchObject({ status: 'active', statusReason: null });
  const retried = await h.call('POST', `/api/v1/payouts/${payout.id}/retry`);
  expect(retried.status, JSON.stringify(retried.body)).toBe(202);
  const paid = await probe.waitForStatus(member.id, 'paid');
  expect(paid).toMatchObject({ id: payout.id, failureCode: null, failureReason: null });
  expect([...tremendous.orders.values()].map((o) => o.externalId)).toEqual([payout.id]);
  expect((await probe.rewards(payout.id)).map((r) => r.status)).toEqual(['paid']);
}, 60_000);
