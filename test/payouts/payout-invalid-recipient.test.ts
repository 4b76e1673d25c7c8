import { randomBytes } from 'node:crypto';
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
  TREMENDOUS_KEY,
} from '../support/payout-credentials.js';

// A gift card Tango sells from $1 to $10 only.
const SMALL_UTID = 'U100010';

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
    catalog: [{ utid: SMALL_UTID, rewardName: 'Coffee Card', currencyCode: 'USD', minValue: 1, maxValue: 10 }],
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

/** A program paying $20 rewards through this connector, and a member (with these fields) who earns one. */
async function earnThrough(kind: string, connector: Record<string, unknown>, memberFields: Record<string, unknown> = {}) {
  const { program } = await programWithMember(h, [
    { name: 'Referrer reward', trigger: 'conversion', recipient: 'member', amount: { type: 'fixed', value: 20 }, kind },
  ]);
  const created = await h.call('POST', '/api/v1/connectors', { ...connector, programIds: [program.id] });
  expect(created.status, JSON.stringify(created.body)).toBe(201);
  const member = await h.call('POST', '/api/v1/members', {
    programId: program.id,
    email: `bo-${randomBytes(4).toString('hex')}@acme-partners.test`,
    firstName: 'Bo',
    ...memberFields,
  });
  expect(member.status, JSON.stringify(member.body)).toBe(201);
  await convert(h, program.id, member.body.referralCode);
  return { connector: created.body, member: member.body };
}

/** Failed for good: the rewards failed, the workflow ended, and the connector itself is fine. */
async function expectFailedForGood(memberId: string, connectorId: string) {
  const payout = await probe.waitForStatus(memberId, 'failed');
  expect(payout.attempts).toBe(1);
  expect((await probe.rewards(payout.id)).map((r) => r.status)).toEqual(['failed']);
  expect((await probe.events(payout.id)).filter((type) => type === 'payout.failed' || type === 'reward.failed')).toEqual([
    'payout.failed',
    'reward.failed',
  ]);
  await waitFor(async () => (await probe.workflow(payout.id)).status === 'COMPLETED', 10_000, 'the payout workflow ended');
  const connector = await h.call('GET', `/api/v1/connectors/${connectorId}`);
  expect(connector.body).toMatchObject({ status: 'active', statusReason: null });
  return payout;
}

it('PayPal fails the item sent to the member’s PayPal address (RECEIVER_ACCOUNT_INVALID): the payout fails as invalid_recipient, once', async () => {
  const paypalEmail = `closed-${randomBytes(4).toString('hex')}@acme-partners.test`;
  paypal.plans.set(paypalEmail, {
    statuses: ['PENDING', 'FAILED'],
    error: { name: 'RECEIVER_ACCOUNT_INVALID', message: 'Receiver account is invalid' },
  });
  const { connector, member } = await earnThrough(
    'cash',
    {
      kind: 'paypal',
      name: 'PayPal',
      settings: { baseUrl: prism.url, rewardKinds: ['cash'] },
      secrets: { clientId: CLIENT_ID, clientSecret: CLIENT_SECRET },
    },
    { payoutDetails: { paypalEmail } },
  );
  const payout = await expectFailedForGood(member.id, connector.id);
  expect(payout).toMatchObject({
    failureCode: 'invalid_recipient',
    failureReason: 'FAILED (RECEIVER_ACCOUNT_INVALID: Receiver account is invalid)',
  });
  const creates = paypal.apiRequests.filter((r) => r.method === 'POST');
  expect(creates).toHaveLength(1);
  expect((creates[0]!.body as any).items[0].receiver).toBe(paypalEmail);
  expect(paypal.batches.size).toBe(1);
  expect(prism.exchanges.filter((x) => x.violations !== undefined)).toEqual([]);
}, 60_000);

it('Tremendous cannot deliver to the member’s address (delivery FAILED): the payout fails as invalid_recipient, once', async () => {
  const { connector, member } = await earnThrough(
    'cash',
    {
      kind: 'tremendous',
      name: 'Tremendous',
      settings: { baseUrl: tremendous.url, rewardKinds: ['cash'], campaignId: 'CAMP1' },
      secrets: { apiKey: TREMENDOUS_KEY },
    },
    { email: `bo-${randomBytes(4).toString('hex')}@bounce.example` },
  );
  const payout = await expectFailedForGood(member.id, connector.id);
  expect(payout.failureCode).toBe('invalid_recipient');
  expect(payout.failureReason).toContain('could not deliver the reward (EMAIL delivery FAILED)');
  expect(tremendous.requests.filter((r) => r.method === 'POST')).toHaveLength(1);
  expect(tremendous.orders.size).toBe(1);
}, 60_000);

it('Tremendous refusing the order (unknown campaign, HTTP 400): the payout fails as invalid_request with Tremendous’ words, once', async () => {
  const before = tremendous.requests.length;
  const { connector, member } = await earnThrough('cash', {
    kind: 'tremendous',
    name: 'Tremendous',
    settings: { baseUrl: tremendous.url, rewardKinds: ['cash'], campaignId: 'NO_SUCH_CAMPAIGN' },
    secrets: { apiKey: TREMENDOUS_KEY },
  });
  const payout = await expectFailedForGood(member.id, connector.id);
  expect(payout.failureCode).toBe('invalid_request');
  expect(payout.failureReason).toContain('reward.campaign_id: Campaign not found');
  expect(tremendous.requests.slice(before).map((r) => r.method)).toEqual(['POST']);
}, 60_000);

it('Tango Card refusing the order (amount outside the card’s range, HTTP 400): the payout fails as invalid_request, once', async () => {
  const { connector, member } = await earnThrough('gift_card', {
    kind: 'tangocard',
    name: 'Tango Card',
    settings: { baseUrl: tango.baseUrl, rewardKinds: ['gift_card'], ...ACCOUNT, utid: SMALL_UTID },
    secrets: TANGO,
  });
  const payout = await expectFailedForGood(member.id, connector.id);
  expect(payout.failureCode).toBe('invalid_request');
  expect(payout.failureReason).toContain('amount: amount must be between 1 and 10');
  expect(tango.requests.filter((r) => r.method === 'POST')).toHaveLength(1);
  expect(tango.orders.size).toBe(0);
}, 60_000);
