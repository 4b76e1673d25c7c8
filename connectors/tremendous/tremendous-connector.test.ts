import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { connectorFailure } from '../../test/support/connector-failure.js';
import { loopbackRuntime } from '../../test/support/loopback-runtime.js';
import { startTremendousFake, type TremendousFake } from '../../test/support/tremendous-fake.js';
import type { ConnectorDefinition, ConnectorRuntime, PayoutRequest } from '../connector.js';
import { createGuardedLookup } from '../security/guarded-lookup.js';
import { createSsrfGuard } from '../security/ssrf-guard.js';
import { tremendousConnector, tremendousSecretsSchema, tremendousSettingsSchema } from './tremendous-connector.js';

const API_KEY = 'TEST_r4nd0mS4ndb0xK3y_0123456789abcdef';

let sequence = 0;
function payout(overrides: Partial<PayoutRequest> = {}): PayoutRequest {
  return {
    payoutId: `pay_${Date.now().toString(36)}_${++sequence}`,
    amount: '20',
    currency: 'USD',
    rewardKind: 'gift_card',
    recipient: { email: 'ann@example.com', firstName: 'Ann', lastName: 'Lee' },
    ...overrides,
  };
}

type OrderBody = {
  external_id: string;
  payment: { funding_source_id: string };
  reward: Record<string, unknown>;
};
const orderPosts = (fake: TremendousFake) => fake.requests.filter((r) => r.method === 'POST' && r.path === '/api/v2/orders');

describe('tremendousConnector against the Tremendous fake', () => {
  let fake: TremendousFake;
  beforeAll(async () => {
    fake = await startTremendousFake({ apiKey: API_KEY, campaigns: ['CAMP1'], products: ['OKMHM2X2OHYV'] });
  });
  afterAll(() => fake?.close());
  beforeEach(() => {
    fake.requests.length = 0;
    fake.orders.clear();
    fake.balance = 1000;
  });

  function connect(settings: Record<string, unknown> = {}, apiKey = API_KEY, runtime: ConnectorRuntime = loopbackRuntime()) {
    return tremendousConnector.create(
      {
        settings: tremendousSettingsSchema.parse({ baseUrl: fake.url, rewardKinds: ['gift_card'], campaignId: 'CAMP1', ...settings }),
        secrets: tremendousSecretsSchema.parse({ apiKey }),
      },
      runtime,
    );
  }

  it('is a payout ConnectorDefinition with strict settings and the SDK currencies', () => {
    const definition: ConnectorDefinition = tremendousConnector;
    expect(definition.kind).toBe('tremendous');
    expect(definition.targets(tremendousSettingsSchema.parse({ rewardKinds: ['gift_card'], campaignId: 'C' }))).toEqual([]);
    expect(definition.targets(tremendousSettingsSchema.parse({ baseUrl: fake.url, rewardKinds: ['cash'], campaignId: 'C' }))).toEqual([
      fake.url,
    ]);
    const provider = connect().payout!;
    expect(provider.rewardKinds).toEqual(['gift_card']);
    expect(provider.currencies).toEqual(expect.arrayContaining(['USD', 'EUR', 'GBP', 'JPY']));
    expect(provider.currencies).not.toContain('BTC');

    const refusals = [
      { rewardKinds: ['gift_card'] }, // neither campaign nor products
      { rewardKinds: [], campaignId: 'C' },
      { rewardKinds: ['giftcard'], campaignId: 'C' },
      { rewardKinds: ['gift_card'], campaignId: 'C', deliveryMethod: 'LINK' },
      { rewardKinds: ['gift_card'], campaignId: 'C', surprise: true },
      { rewardKinds: ['gift_card'], campaignId: 'C', baseUrl: 'ftp://api.tremendous.com' },
    ];
    for (const settings of refusals) expect(tremendousSettingsSchema.safeParse(settings).success, JSON.stringify(settings)).toBe(false);
    expect(tremendousSettingsSchema.safeParse({ rewardKinds: ['gift_card'], products: ['P1'] }).success).toBe(true);
    expect(tremendousSecretsSchema.safeParse({ apiKey: ' ' }).success).toBe(false);
    expect(tremendousSecretsSchema.safeParse({ apiKey: API_KEY, other: 1 }).success).toBe(false);
  });

  it('orders one reward with the payout id as external_id, then polls it to paid', async () => {
    const runtime = loopbackRuntime();
    const provider = connect({}, API_KEY, runtime).payout!;
    const request = payout({ amount: '20.5', note: 'Thanks for referring Bob!' });

    const sent = await provider.pay(request);
    expect(fake.orders.size).toBe(1);
    const [order] = [...fake.orders.values()];
    expect(sent).toEqual({ state: 'sent', providerReference: `${order!.id}/${order!.reward.id}` });
    expect(fake.balance).toBe(1000 - 20.5);

    const [post] = orderPosts(fake);
    expect(post!.headers.authorization).toBe(`Bearer ${API_KEY}`);
    expect(JSON.parse(post!.body) as OrderBody).toEqual({
      external_id: request.payoutId,
      payment: { funding_source_id: 'balance' },
      reward: {
        campaign_id: 'CAMP1',
        value: { denomination: 20.5, currency_code: 'USD' },
        recipient: { name: 'Ann Lee', email: 'ann@example.com' },
        delivery: { method: 'EMAIL', meta: { message: 'Thanks for referring Bob!' } },
      },
    });
    expect(runtime.checkedTargets).toEqual([fake.url]);

    // The delivery moves SCHEDULED → PENDING → SUCCEEDED as the order is read.
    expect(await provider.status(request.payoutId, sent.providerReference)).toEqual({
      state: 'sent',
      providerReference: sent.providerReference,
    });
    expect(order!.reward.delivery.status).toBe('PENDING');
    expect(await provider.status(request.payoutId, sent.providerReference)).toEqual({
      state: 'paid',
      providerReference: sent.providerReference,
    });
    expect(fake.requests.at(-1)).toMatchObject({ method: 'GET', path: `/api/v2/orders/${order!.id}` });
    expect(fake.orders.size).toBe(1);
  });

  it('sends products and a funding source when configured, and no name when the member has none', async () => {
    fake.balance = 5000; // the fake charges the denomination as is, whatever the currency
    const provider = connect({ campaignId: undefined, products: ['OKMHM2X2OHYV'], fundingSourceId: 'FS0BALANCE01' }).payout!;
    const outcome = await provider.pay(payout({ recipient: { email: 'bob@example.com' }, currency: 'JPY', amount: '1500' }));
    expect(outcome.state).toBe('sent');
    const body = JSON.parse(orderPosts(fake)[0]!.body) as OrderBody;
    expect(body.payment).toEqual({ funding_source_id: 'FS0BALANCE01' });
    expect(body.reward).toEqual({
      products: ['OKMHM2X2OHYV'],
      value: { denomination: 1500, currency_code: 'JPY' },
      recipient: { email: 'bob@example.com' },
      delivery: { method: 'EMAIL' },
    });
  });

  it('answers the same payout id twice with the first order and pays once (Tremendous 201)', async () => {
    const provider = connect().payout!;
    const request = payout();
    const first = await provider.pay(request);
    const again = await connect().payout!.pay({ ...request });
    expect(again).toEqual(first);
    expect(orderPosts(fake)).toHaveLength(2);
    expect(fake.orders.size).toBe(1);
    expect(fake.balance).toBe(980);

    // After delivery, a repeat reports the order as it now stands.
    await provider.status(request.payoutId, first.providerReference);
    await provider.status(request.payoutId, first.providerReference);
    expect(await provider.pay(request)).toEqual({ state: 'paid', providerReference: first.providerReference });
    expect(fake.orders.size).toBe(1);
  });

  it('pays once when two workers send the same payout at the same time', async () => {
    const request = payout();
    const [a, b] = await Promise.all([connect().payout!.pay(request), connect().payout!.pay(request)]);
    expect(a).toEqual(b);
    expect(fake.orders.size).toBe(1);
    expect(fake.balance).toBe(980);
  });

  it('recovers an order whose answer was lost (5xx after placing it): the retry gets that order, not a second one', async () => {
    const provider = connect().payout!;
    const request = payout();
    fake.forceNext({ status: 502, afterCommit: true });
    expect(await connectorFailure(provider.pay(request))).toMatchObject({ kind: 'transient', status: 502 });
    expect(fake.orders.size).toBe(1);
    const retried = await provider.pay(request);
    const [order] = [...fake.orders.values()];
    expect(retried).toEqual({ state: 'sent', providerReference: `${order!.id}/${order!.reward.id}` });
    expect(fake.orders.size).toBe(1);
    expect(fake.balance).toBe(980);
  });

  it('retries a 5xx with the same external_id and orders once', async () => {
    const provider = connect().payout!;
    const request = payout();
    fake.forceNext({ status: 503 });
    const error = await connectorFailure(provider.pay(request));
    expect(error).toMatchObject({ kind: 'transient', status: 503 });
    expect(error.retryable).toBe(true);
    expect(fake.orders.size).toBe(0);
    expect((await provider.pay(request)).state).toBe('sent');
    const bodies = orderPosts(fake).map((post) => (JSON.parse(post.body) as OrderBody).external_id);
    expect(bodies).toEqual([request.payoutId, request.payoutId]);
    expect(fake.orders.size).toBe(1);
  });

  it('refuses a payout id Tremendous already ordered for another amount (409), without a second order', async () => {
    const request = payout();
    await connect().payout!.pay(request);
    const error = await connectorFailure(connect().payout!.pay({ ...request, amount: '25' }));
    expect(error).toMatchObject({ kind: 'invalid', status: 409 });
    expect(error.message).toContain(`external_id ${request.payoutId}`);
    expect(error.message).toContain('no second order was placed');
    expect(error.response).toContain('already exists with different parameters');
    expect(fake.orders.size).toBe(1);
    expect(fake.balance).toBe(980);
  });

  it('follows the order already placed when a repeat differs only in recipient or settings (409): one order, its outcome', async () => {
    const request = payout();
    const first = await connect().payout!.pay(request);
    const renamed = { ...request, recipient: { ...request.recipient, firstName: 'Annabel', email: 'annabel@example.com' } };
    // Each look-up reads the order again (its delivery moves on), so only the order is compared.
    expect(await connect().payout!.pay(renamed)).toMatchObject({ providerReference: first.providerReference });
    // Settings changed between attempts (another campaign) are the same payout too.
    expect(await connect({ campaignId: undefined, products: ['OKMHM2X2OHYV'] }).payout!.pay(request)).toMatchObject({
      providerReference: first.providerReference,
    });
    const [order] = [...fake.orders.values()];
    expect(fake.requests.slice(-2).map((r) => `${r.method} ${r.path}`)).toEqual([
      'POST /api/v2/orders',
      `GET /api/v2/orders/${request.payoutId}`,
    ]);
    expect(order!.reward.recipient.email).toBe(request.recipient.email);
    expect(fake.orders.size).toBe(1);
    expect(fake.balance).toBe(980);
  });

  it('reports insufficient funds as a failed payout, and a retry after a top-up pays', async () => {
    fake.balance = 10;
    const provider = connect().payout!;
    const request = payout();
    expect(await provider.pay(request)).toEqual({
      state: 'failed',
      providerReference: '',
      failureCode: 'insufficient_funds',
      failureReason: 'Insufficient funds (payment.funding_source_id: Your balance is insufficient to fund this order)',
    });
    expect(fake.orders.size).toBe(0);
    fake.balance = 100;
    expect((await provider.pay(request)).state).toBe('sent');
    expect(fake.orders.size).toBe(1);
  });

  it('reports a recipient Tremendous refuses as a failed payout (invalid_recipient)', async () => {
    expect(await connect().payout!.pay(payout({ recipient: { email: 'not-an-email', firstName: 'Ann' } }))).toEqual({
      state: 'failed',
      providerReference: '',
      failureCode: 'invalid_recipient',
      failureReason: 'Order failed: validation failure (reward.recipient.email: is invalid)',
    });
    expect(fake.orders.size).toBe(0);
  });

  it('reports a delivery that failed as a failed payout (invalid_recipient), found by polling', async () => {
    const provider = connect().payout!;
    const request = payout({ recipient: { email: 'gone@bounce.example' } });
    const sent = await provider.pay(request);
    expect(sent.state).toBe('sent');
    expect((await provider.status(request.payoutId, sent.providerReference)).state).toBe('sent');
    expect(await provider.status(request.payoutId, sent.providerReference)).toMatchObject({
      state: 'failed',
      failureCode: 'invalid_recipient',
      failureReason: expect.stringContaining('EMAIL delivery FAILED'),
    });
  });

  it('maps order statuses: approvals keep it sent, FAILED and CANCELED fail it', async () => {
    const provider = connect().payout!;
    const request = payout();
    const sent = await provider.pay(request);
    const orderId = sent.providerReference.split('/')[0]!;
    fake.setOrderStatus(orderId, 'PENDING APPROVAL');
    expect((await provider.status(request.payoutId, sent.providerReference)).state).toBe('sent');
    fake.setOrderStatus(orderId, 'FAILED');
    expect(await provider.status(request.payoutId, sent.providerReference)).toMatchObject({ state: 'failed', failureCode: 'rejected' });
    fake.setOrderStatus(orderId, 'CANCELED');
    expect(await provider.status(request.payoutId, sent.providerReference)).toMatchObject({
      state: 'failed',
      failureCode: 'rejected',
      failureReason: 'Tremendous order canceled',
    });
  });

  it('finds the order by payout id (external_id) when no reference was recorded; an unknown one is refused', async () => {
    const provider = connect().payout!;
    const request = payout();
    const sent = await provider.pay(request);
    expect(await provider.status(request.payoutId, '')).toEqual({ state: 'sent', providerReference: sent.providerReference });
    expect(fake.requests.at(-1)!.path).toBe(`/api/v2/orders/${request.payoutId}`);
    expect(await connectorFailure(provider.status('pay_never_sent', ''))).toMatchObject({ kind: 'invalid', status: 404 });
  });

  it('refuses an unsupported currency or an amount the currency cannot carry before sending anything', async () => {
    const provider = connect().payout!;
    const btc = await connectorFailure(provider.pay(payout({ currency: 'BTC' })));
    expect(btc).toMatchObject({ kind: 'invalid' });
    expect(btc.message).toBe('Tremendous does not pay rewards in BTC');
    expect(await connectorFailure(provider.pay(payout({ amount: '20.005' })))).toMatchObject({ kind: 'invalid' });
    expect(await connectorFailure(provider.pay(payout({ currency: 'JPY', amount: '10.5' })))).toMatchObject({ kind: 'invalid' });
    expect(fake.requests).toHaveLength(0);
  });

  it('turns a bad key into auth errors without the key in any message', async () => {
    const wrong = 'TEST_wrongwrongwrongwrong';
    const connector = connect({}, wrong);
    for (const call of [connector.check(), connector.payout!.pay(payout()), connector.payout!.status('pay_x', 'ORDER1/REWARD1')]) {
      const error = await connectorFailure(call);
      expect(error).toMatchObject({ kind: 'auth', status: 401 });
      expect(error.message).not.toContain(wrong);
      expect(error.message).not.toContain(API_KEY);
    }
    await expect(connect().check()).resolves.toBeUndefined();
    expect(fake.requests.at(-1)).toMatchObject({ method: 'GET', path: '/api/v2/funding_sources' });
  });

  it('turns 429 into rate_limited, waiting as Retry-After says or 30 s without it', async () => {
    const provider = connect().payout!;
    fake.forceNext({ status: 429, retryAfter: '7' });
    expect(await connectorFailure(provider.pay(payout()))).toMatchObject({ kind: 'rate_limited', status: 429, retryAfterMs: 7_000 });
    fake.forceNext({ status: 429 });
    const error = await connectorFailure(provider.status('pay_x', 'ORDER1/REWARD1'));
    expect(error).toMatchObject({ kind: 'rate_limited', retryAfterMs: 30_000 });
    expect(error.message).toBe('Tremendous answered HTTP 429: Too many requests');
    expect(fake.orders.size).toBe(0);
  });

  it("hits Tremendous' own rate limit (60 per 30 s) and says so", async () => {
    const limited = await startTremendousFake({ apiKey: API_KEY, rateLimit: { max: 2, windowMs: 30_000 } });
    try {
      const provider = tremendousConnector.create(
        { settings: { baseUrl: limited.url, rewardKinds: ['gift_card'], campaignId: 'CAMP1' }, secrets: { apiKey: API_KEY } },
        loopbackRuntime(),
      ).payout!;
      await provider.pay(payout());
      await provider.pay(payout());
      expect(await connectorFailure(provider.pay(payout()))).toMatchObject({ kind: 'rate_limited', retryAfterMs: 30_000 });
      expect(limited.orders.size).toBe(2);
    } finally {
      await limited.close();
    }
  });

  it('refuses a configuration Tremendous rejects (unknown campaign) as invalid, not as a recipient failure', async () => {
    const error = await connectorFailure(connect({ campaignId: 'NOPE' }).payout!.pay(payout()));
    expect(error).toMatchObject({ kind: 'invalid', status: 400 });
    expect(error.message).toBe('Tremendous answered HTTP 400: Order failed: validation failure (reward.campaign_id: Campaign not found)');
  });

  it('times out a silent Tremendous as transient (the retry carries the same external_id)', async () => {
    fake.forceNext({ hang: true });
    const error = await connectorFailure(connect({}, API_KEY, loopbackRuntime(500)).payout!.pay(payout()));
    expect(error.kind).toBe('transient');
  });

  it('asks the SSRF guard first, and sends nothing to a target it refuses', async () => {
    const connector = tremendousConnector.create(
      {
        settings: { baseUrl: 'https://api.tremendous.example/api/v2', rewardKinds: ['gift_card'], campaignId: 'C' },
        secrets: { apiKey: API_KEY },
      },
      loopbackRuntime(),
    );
    expect(await connectorFailure(connector.payout!.pay(payout()))).toMatchObject({ kind: 'invalid' });
    expect(await connectorFailure(connector.check())).toMatchObject({ kind: 'invalid' });
    expect(fake.requests).toHaveLength(0);
  });
});

describe('tremendousConnector transport', () => {
  let server: http.Server;
  let port: number;
  let hits = 0;
  beforeAll(async () => {
    server = http.createServer((_req, res) => {
      hits += 1;
      res.writeHead(200, { 'content-type': 'application/json' }).end('{"funding_sources":[]}');
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    port = (server.address() as AddressInfo).port;
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  it('connects through the runtime guarded lookup (DNS rebinding is refused at connect time)', async () => {
    const runtime: ConnectorRuntime = {
      assertTargetAllowed: createSsrfGuard({ allowPrivate: false, lookup: async () => ['93.184.216.34'] }).assertTargetAllowed,
      timeoutMs: 5_000,
      lookup: createGuardedLookup({ allowPrivate: false, lookup: async () => ['127.0.0.1'] }),
    };
    const baseUrl = `http://rebind.example:${port}/api/v2`;
    const connector = tremendousConnector.create(
      { settings: { baseUrl, rewardKinds: ['gift_card'], campaignId: 'C' }, secrets: { apiKey: API_KEY } },
      runtime,
    );
    const error = await connectorFailure(connector.check());
    expect(error.kind).toBe('invalid');
    expect(error.message).toContain('target rebind.example resolves to 127.0.0.1');
    expect(hits).toBe(0);
  });

  it('treats a closed port as transient', async () => {
    const closed = http.createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const closedPort = (closed.address() as AddressInfo).port;
    await new Promise<void>((resolve) => closed.close(() => resolve()));
    const connector = tremendousConnector.create(
      {
        settings: { baseUrl: `http://127.0.0.1:${closedPort}/api/v2`, rewardKinds: ['gift_card'], campaignId: 'C' },
        secrets: { apiKey: API_KEY },
      },
      loopbackRuntime(),
    );
    expect(await connectorFailure(connector.payout!.pay(payout()))).toMatchObject({ kind: 'transient' });
  });
});
