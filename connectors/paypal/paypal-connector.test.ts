import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { connectorFailure } from '../../test/support/connector-failure.js';
import { loopbackRuntime, type LoopbackRuntime } from '../../test/support/loopback-runtime.js';
import { startPayPalFake, type PayPalFake } from '../../test/support/paypal-fake.js';
import { contractSpecPath, startPrismProxy, type PrismExchange, type PrismMock } from '../../test/support/prism-mock.js';
import type { ConnectorDefinition, PayoutOutcome, PayoutProvider, PayoutRequest } from '../connector.js';
import { paypalConnector, paypalSecretsSchema, paypalSettingsSchema } from './paypal-connector.js';

const SPEC = contractSpecPath('paypal-payouts-v1.json');
const CLIENT_ID = 'AYSq3RDGsmBLJE-otTkBtM-jBRd1TCQwFf9RGfwddNXWz0uFU9ztymylOhRS';
const CLIENT_SECRET = 'EGnHDxD_qRPdaLdZz8iCr8N7_MzF-YHPTkjs6NKYQvQSBngp4PTTVWkPZRbL';
const BATCH_REFERENCE = /^[A-Z0-9]{13}\/[A-Z0-9]{13}$/;

let sequence = 0;
function request(overrides: Partial<PayoutRequest> = {}): PayoutRequest {
  return {
    payoutId: `pay_test${++sequence}`,
    amount: '20',
    currency: 'USD',
    rewardKind: 'cash',
    recipient: { email: 'ann@example.com', firstName: 'Ann' },
    ...overrides,
  };
}

/** Each exchange that crossed Prism, with the violations it reported (none expected). */
const contract = (exchanges: readonly PrismExchange[]) =>
  exchanges.map((x) => ({ request: `${x.method} ${x.path.split('?')[0]}`, status: x.status, violations: x.violations }));

describe('paypalConnector through Prism (proxy mode) on the PayPal Payouts spec', () => {
  let fake: PayPalFake;
  let prism: PrismMock;
  let runtime: LoopbackRuntime;

  beforeAll(async () => {
    fake = await startPayPalFake({ clientId: CLIENT_ID, clientSecret: CLIENT_SECRET });
    // The token endpoint is not part of the Payouts spec: the stand-in answers it directly.
    prism = await startPrismProxy(SPEC, fake.url, { bypass: (path) => path.startsWith('/v1/oauth2/') });
  }, 60_000);
  afterAll(async () => {
    await prism?.close();
    await fake?.close();
  });
  beforeEach(() => {
    runtime = loopbackRuntime();
    prism.exchanges.length = 0;
    fake.reset();
  });
  afterEach(() => {
    // Every request the connector made and every answer it read matched PayPal's own spec.
    expect(prism.exchanges.filter((x) => x.violations !== undefined)).toEqual([]);
  });

  function connect(settings: Record<string, unknown> = {}, secrets: Record<string, unknown> = {}) {
    return paypalConnector.create(
      {
        settings: paypalSettingsSchema.parse({ baseUrl: prism.url, rewardKinds: ['cash'], ...settings }),
        secrets: paypalSecretsSchema.parse({ clientId: CLIENT_ID, clientSecret: CLIENT_SECRET, ...secrets }),
      },
      runtime,
    );
  }
  const payouts = (settings: Record<string, unknown> = {}): PayoutProvider => connect(settings).payout!;

  async function pollUntilFinal(provider: PayoutProvider, payoutId: string, reference: string): Promise<PayoutOutcome[]> {
    const seen: PayoutOutcome[] = [];
    const deadline = Date.now() + 10_000;
    for (;;) {
      const outcome = await provider.status(payoutId, reference);
      seen.push(outcome);
      if (outcome.state !== 'sent') return seen;
      if (Date.now() > deadline) throw new Error(`payout ${payoutId} still sent after 10 s: ${JSON.stringify(seen)}`);
    }
  }

  it('is a payout ConnectorDefinition with strict settings and secrets', () => {
    const definition: ConnectorDefinition = paypalConnector;
    expect(definition.kind).toBe('paypal');
    expect(paypalSettingsSchema.safeParse({ rewardKinds: ['cash'], extra: 1 }).success).toBe(false);
    expect(paypalSettingsSchema.safeParse({ rewardKinds: [] }).success).toBe(false);
    expect(paypalSecretsSchema.safeParse({ clientId: 'a' }).success).toBe(false);
    expect(paypalConnector.targets(paypalSettingsSchema.parse({ rewardKinds: ['cash'] }))).toEqual([]);
    expect(
      paypalConnector.targets(paypalSettingsSchema.parse({ rewardKinds: ['cash'], baseUrl: 'https://api-m.sandbox.paypal.com' })),
    ).toEqual(['https://api-m.sandbox.paypal.com']);
    const provider = payouts();
    expect(provider.rewardKinds).toEqual(['cash']);
    expect(provider.currencies).toEqual(expect.arrayContaining(['USD', 'EUR', 'GBP', 'JPY', 'HUF', 'TWD', 'CAD', 'AUD']));
    expect(provider.currencies).not.toContain('INR');
  });

  it('check() fetches a token with the client credentials and refuses wrong ones as auth, without echoing the secret', async () => {
    await connect().check();
    expect(fake.tokenRequests).toBe(1);

    const error = await connectorFailure(connect({}, { clientSecret: 'wrong-secret-value-0123456789' }).check());
    expect(error.kind).toBe('auth');
    expect(error.status).toBe(401);
    expect(error.message).not.toContain('wrong-secret-value-0123456789');
    expect(error.message).not.toContain(CLIENT_ID);
    expect(runtime.checkedTargets).toContain(`${prism.url}/v1/oauth2/token`);
  });

  it('pays: one batch of one item keyed by the payout id, sent until PayPal reports SUCCESS, then paid', async () => {
    const provider = payouts({ emailSubject: 'You earned a reward' });
    const payout = request({ note: 'Thanks for referring Bob!', recipient: { email: 'ann@example.com', paypalEmail: 'ann@pay.example' } });

    const sent = await provider.pay(payout);
    expect(sent).toEqual({ state: 'sent', providerReference: expect.stringMatching(BATCH_REFERENCE) });
    const [batchId, itemId] = sent.providerReference.split('/');
    expect(contract(prism.exchanges)).toEqual([
      { request: 'POST /v1/payments/payouts', status: 201, violations: undefined },
      { request: `GET /v1/payments/payouts/${batchId}`, status: 200, violations: undefined },
    ]);
    expect(JSON.parse(prism.exchanges[0]!.requestBody)).toEqual({
      sender_batch_header: { sender_batch_id: payout.payoutId, email_subject: 'You earned a reward' },
      items: [
        {
          recipient_type: 'EMAIL',
          receiver: 'ann@pay.example',
          amount: { value: '20.00', currency: 'USD' },
          sender_item_id: payout.payoutId,
          note: 'Thanks for referring Bob!',
        },
      ],
    });
    expect(prism.exchanges[0]!.requestHeaders.authorization).toMatch(/^Bearer A21AA/);
    expect(fake.batches.get(batchId!)?.items[0]?.payoutItemId).toBe(itemId);

    expect(await provider.status(payout.payoutId, sent.providerReference)).toEqual({
      state: 'paid',
      providerReference: sent.providerReference,
    });
    // One token served every call.
    expect(fake.tokenRequests).toBe(1);
  });

  it('the same payout id sent twice pays once and returns the first payout (then its later state)', async () => {
    const provider = payouts();
    const payout = request();
    const first = await provider.pay(payout);
    const again = await provider.pay(payout);

    expect(fake.batches.size).toBe(1);
    expect(again.providerReference).toBe(first.providerReference);
    // The second read of the original batch already sees it paid.
    expect(again.state).toBe('paid');
    expect(contract(prism.exchanges).map((x) => `${x.request} ${x.status}`)).toEqual([
      'POST /v1/payments/payouts 201',
      `GET /v1/payments/payouts/${first.providerReference.split('/')[0]} 200`,
      'POST /v1/payments/payouts 400',
      `GET /v1/payments/payouts/${first.providerReference.split('/')[0]} 200`,
    ]);

    // A second worker with its own connector instance (own token) gets the same answer.
    expect(await payouts().pay(payout)).toEqual({ state: 'paid', providerReference: first.providerReference });
    expect(fake.batches.size).toBe(1);
  });

  it('a 500 after PayPal created the batch is transient; the retry with the same id finds that batch', async () => {
    const provider = payouts();
    const payout = request();
    fake.failNext({ status: 500, afterCreate: true });
    const error = await connectorFailure(provider.pay(payout));
    expect(error.kind).toBe('transient');
    expect(fake.batches.size).toBe(1);

    const retried = await provider.pay(payout);
    expect(retried.providerReference).toBe(`${[...fake.batches.keys()][0]}/${[...fake.batches.values()][0]!.items[0]!.payoutItemId}`);
    expect(fake.batches.size).toBe(1);
  });

  it('a 503 before anything was created is transient; the retry with the same id pays once', async () => {
    const provider = payouts();
    const payout = request();
    fake.failNext({ status: 503 });
    expect((await connectorFailure(provider.pay(payout))).kind).toBe('transient');
    expect(fake.batches.size).toBe(0);

    expect(await provider.pay(payout)).toMatchObject({ state: 'sent' });
    expect(fake.batches.size).toBe(1);
    const bodies = fake.apiRequests.filter((r) => r.method === 'POST').map((r) => JSON.stringify(r.body));
    expect(bodies).toHaveLength(2);
    expect(bodies[0]).toBe(bodies[1]);
  });

  it('a failed read right after PayPal accepted the batch still reports it sent, by batch id, and status finds the item', async () => {
    const provider = payouts();
    const payout = request();
    fake.failNext({ status: 503, method: 'GET' });
    const sent = await provider.pay(payout);
    const [batchId] = [...fake.batches.keys()];
    expect(sent).toEqual({ state: 'sent', providerReference: batchId });
    const later = await provider.status(payout.payoutId, sent.providerReference);
    expect(later.providerReference).toBe(`${batchId}/${fake.batches.get(batchId!)!.items[0]!.payoutItemId}`);
  });

  it('a duplicate answer that names no batch stops with a permanent error instead of paying again', async () => {
    const provider = payouts();
    const payout = request();
    await provider.pay(payout);
    fake.linkDuplicates = false;
    const error = await connectorFailure(provider.pay(payout));
    expect(error.kind).toBe('permanent');
    expect(error.message).toContain(payout.payoutId);
    expect(fake.batches.size).toBe(1);
  });

  it('a 401 on a payouts call drops the cached token and retries once with a new one', async () => {
    const provider = payouts();
    await provider.pay(request());
    fake.expireTokens();
    expect(await provider.pay(request())).toMatchObject({ state: 'sent' });
    expect(fake.tokenRequests).toBe(2);
    expect(prism.exchanges.map((x) => x.status)).toEqual([201, 200, 401, 201, 200]);
  });

  it('a second 401 in a row is auth, and nothing was paid', async () => {
    fake.issueDeadTokens = true;
    const error = await connectorFailure(payouts().pay(request()));
    expect(error.kind).toBe('auth');
    expect(error.status).toBe(401);
    expect(fake.tokenRequests).toBe(2);
    expect(fake.batches.size).toBe(0);
    for (const value of [CLIENT_SECRET, CLIENT_ID]) expect(`${error.message}${error.response ?? ''}`).not.toContain(value);
  });

  it('429 is rate_limited with the Retry-After PayPal sent', async () => {
    fake.failNext({ status: 429, retryAfter: '7' });
    const error = await connectorFailure(payouts().pay(request()));
    expect(error.kind).toBe('rate_limited');
    expect(error.retryAfterMs).toBe(7_000);
    expect(fake.batches.size).toBe(0);
  });

  it('insufficient funds is a failed payout with failureCode insufficient_funds', async () => {
    fake.balance.set('USD', 5);
    const outcome = await payouts().pay(request({ amount: '20' }));
    expect(outcome).toEqual({
      state: 'failed',
      providerReference: '',
      failureCode: 'insufficient_funds',
      failureReason: 'Sender does not have sufficient funds. Please add funds and retry.',
    });
    expect(prism.exchanges.map((x) => x.status)).toEqual([422]);
    expect(fake.batches.size).toBe(0);
  });

  it('a receiver PayPal refuses is a failed payout with failureCode invalid_recipient', async () => {
    const outcome = await payouts().pay(request({ recipient: { email: 'ann@example.com', paypalEmail: 'not-an-email' } }));
    expect(outcome).toEqual({
      state: 'failed',
      providerReference: '',
      failureCode: 'invalid_recipient',
      failureReason: 'Receiver is invalid or does not match with type',
    });
    expect(fake.batches.size).toBe(0);
  });

  it('an item PayPal fails later reports its error; an unclaimed one is unclaimed', async () => {
    const provider = payouts();
    fake.plans.set('locked@example.com', {
      statuses: ['PENDING', 'FAILED'],
      error: { name: 'RECEIVER_ACCOUNT_LOCKED', message: 'Receiver account is locked or inactive' },
    });
    fake.plans.set('new@example.com', { statuses: ['PENDING', 'UNCLAIMED'] });

    const locked = request({ recipient: { email: 'locked@example.com' } });
    const lockedSent = await provider.pay(locked);
    expect(await provider.status(locked.payoutId, lockedSent.providerReference)).toEqual({
      state: 'failed',
      providerReference: lockedSent.providerReference,
      failureCode: 'invalid_recipient',
      failureReason: 'FAILED (RECEIVER_ACCOUNT_LOCKED: Receiver account is locked or inactive)',
    });

    const newcomer = request({ recipient: { email: 'new@example.com' } });
    const newcomerSent = await provider.pay(newcomer);
    expect(await provider.status(newcomer.payoutId, newcomerSent.providerReference)).toEqual({
      state: 'unclaimed',
      providerReference: newcomerSent.providerReference,
    });
  });

  it('status polling follows PENDING and ONHOLD to SUCCESS', async () => {
    const provider = payouts();
    fake.plans.set('slow@example.com', { statuses: ['PENDING', 'ONHOLD', 'PENDING', 'SUCCESS'] });
    const payout = request({ recipient: { email: 'slow@example.com' } });
    const sent = await provider.pay(payout);
    const seen = await pollUntilFinal(provider, payout.payoutId, sent.providerReference);
    expect(seen.map((outcome) => outcome.state)).toEqual(['sent', 'sent', 'paid']);
  });

  it('a currency PayPal does not pay in is refused before anything is sent', async () => {
    const error = await connectorFailure(payouts().pay(request({ currency: 'INR' })));
    expect(error.kind).toBe('invalid');
    expect(error.message).toContain('INR');
    expect(fake.tokenRequests).toBe(0);
    expect(fake.apiRequests).toEqual([]);
  });

  it('amounts go in the currency PayPal expects: cents, and whole units for HUF and TWD (ISO gives TWD cents)', async () => {
    const provider = payouts();
    await provider.pay(request({ amount: '15.5', currency: 'EUR' }));
    await provider.pay(request({ amount: '1500', currency: 'HUF' }));
    await provider.pay(request({ amount: '300.00', currency: 'TWD' }));
    const values = fake.apiRequests
      .filter((r) => r.method === 'POST')
      .map((r) => (r.body as { items: Array<{ amount: unknown }> }).items[0]!.amount);
    expect(values).toEqual([
      { value: '15.50', currency: 'EUR' },
      { value: '1500', currency: 'HUF' },
      { value: '300', currency: 'TWD' },
    ]);
    expect((await connectorFailure(provider.pay(request({ amount: '1500.5', currency: 'HUF' })))).kind).toBe('invalid');
    expect((await connectorFailure(provider.pay(request({ amount: '300.5', currency: 'TWD' })))).kind).toBe('invalid');
    expect((await connectorFailure(provider.pay(request({ amount: '1.005', currency: 'USD' })))).kind).toBe('invalid');
  });

  it('status() refuses a reference that is not a PayPal batch id rather than guessing', async () => {
    expect((await connectorFailure(payouts().status('pay_x', '../oauth2/token'))).kind).toBe('invalid');
    expect(fake.apiRequests).toEqual([]);
  });

  it('asks the SSRF guard before every call', async () => {
    await payouts().pay(request());
    expect(runtime.checkedTargets).toEqual([
      `${prism.url}/v1/oauth2/token`,
      `${prism.url}/v1/payments/payouts`,
      expect.stringMatching(new RegExp(`^${prism.url}/v1/payments/payouts/[A-Z0-9]{13}$`)),
    ]);
  });
});

describe('paypalConnector token lifetime', () => {
  let fake: PayPalFake;
  beforeAll(async () => {
    // A token that is already inside the renewal margin when issued must not be reused.
    fake = await startPayPalFake({ clientId: CLIENT_ID, clientSecret: CLIENT_SECRET, tokenLifetimeSeconds: 30 });
  });
  afterAll(() => fake?.close());

  it('fetches a new token once the cached one is about to expire', async () => {
    const provider = paypalConnector.create(
      {
        settings: paypalSettingsSchema.parse({ baseUrl: fake.url, rewardKinds: ['cash'] }),
        secrets: paypalSecretsSchema.parse({ clientId: CLIENT_ID, clientSecret: CLIENT_SECRET }),
      },
      loopbackRuntime(),
    ).payout!;
    await provider.pay(request());
    await provider.pay(request());
    // Two payouts are four calls (create, then read the batch), each with a token of its own.
    expect(fake.apiRequests).toHaveLength(4);
    expect(fake.tokenRequests).toBe(4);
  });
});
