import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { connectorFailure } from '../../test/support/connector-failure.js';
import { loopbackRuntime, type LoopbackRuntime } from '../../test/support/loopback-runtime.js';
import { startTangoCardFake, type TangoCardFake } from '../../test/support/tangocard-fake.js';
import type { PayoutRequest } from '../connector.js';
import { tangocardConnector, tangocardSecretsSchema, tangocardSettingsSchema } from './tangocard-connector.js';

const PLATFORM = 'ReferralHubTest';
const KEY = 'tango-platform-key-0123456789abcdef';
const ACCOUNT = 'acct-referrals';
const CUSTOMER = 'cust-referrals';
const UTID = 'U561593';

let sequence = 0;
function payout(overrides: Partial<PayoutRequest> = {}): PayoutRequest {
  sequence += 1;
  return {
    payoutId: `pay_${String(sequence).padStart(4, '0')}`,
    amount: '20',
    currency: 'USD',
    rewardKind: 'gift_card',
    recipient: { email: 'ann@example.com', firstName: 'Ann', lastName: 'Lee' },
    ...overrides,
  };
}

describe('tangocardConnector against the Tango Card fake', () => {
  let fake: TangoCardFake;
  let runtime: LoopbackRuntime;
  beforeAll(async () => {
    fake = await startTangoCardFake({
      platformName: PLATFORM,
      platformKey: KEY,
      accounts: [{ accountIdentifier: ACCOUNT, customerIdentifier: CUSTOMER, balance: 100 }],
      catalog: [
        { utid: UTID, rewardName: 'Amazon.com Gift Card', currencyCode: 'USD', minValue: 1, maxValue: 2000 },
        { utid: 'U100200', rewardName: 'Amazon.de Gutschein', currencyCode: 'EUR', minValue: 1, maxValue: 500 },
      ],
    });
  });
  afterAll(() => fake?.close());
  beforeEach(() => {
    fake.reset();
    runtime = loopbackRuntime();
  });

  function connect(settings: Record<string, unknown> = {}, secrets: Record<string, unknown> = {}) {
    return tangocardConnector.create(
      {
        settings: tangocardSettingsSchema.parse({
          baseUrl: fake.baseUrl,
          rewardKinds: ['gift_card'],
          accountIdentifier: ACCOUNT,
          customerIdentifier: CUSTOMER,
          utid: UTID,
          ...settings,
        }),
        secrets: tangocardSecretsSchema.parse({ platformName: PLATFORM, platformKey: KEY, ...secrets }),
      },
      runtime,
    );
  }
  const orderRequests = () => fake.requests.filter((r) => r.method === 'POST' && r.path === '/raas/v2/orders');

  it('takes the settings and secrets the contract names, with production and email defaults, and nothing else', () => {
    const settings = tangocardSettingsSchema.parse({
      baseUrl: 'https://integration-api.tangocard.com/raas/v2',
      rewardKinds: ['gift_card'],
      accountIdentifier: 'acct1',
      customerIdentifier: 'cust1',
      utid: 'U561593',
      sendEmail: true,
    });
    expect(settings).toMatchObject({ currency: 'USD', sendEmail: true });
    expect(tangocardConnector.targets(settings)).toEqual(['https://integration-api.tangocard.com/raas/v2']);
    const { baseUrl: _omitted, ...withoutBase } = settings;
    expect(tangocardConnector.targets(withoutBase)).toEqual([]);
    expect(tangocardSettingsSchema.safeParse({ ...settings, fundingSourceId: 'x' }).success).toBe(false);
    expect(tangocardSettingsSchema.safeParse({ ...settings, rewardKinds: [] }).success).toBe(false);
    expect(tangocardSecretsSchema.safeParse({ platformName: 'p', platformKey: 'k', apiKey: 'x' }).success).toBe(false);
    const instance = connect();
    expect(instance.payout?.currencies).toEqual(['USD']);
    expect(instance.payout?.rewardKinds).toEqual(['gift_card']);
  });

  it('check() reads the account and finds the utid in the catalog, in the configured currency', async () => {
    await connect().check();
    expect(fake.requests.map((r) => `${r.method} ${r.path.split('?')[0]}`)).toEqual([
      `GET /raas/v2/accounts/${ACCOUNT}`,
      'GET /raas/v2/catalogs',
    ]);
    expect(runtime.checkedTargets.length).toBeGreaterThan(0);

    const wrongKey = await connectorFailure(connect({}, { platformKey: 'tango-wrong-key-zzzzzzzzzzzz' }).check());
    expect(wrongKey).toMatchObject({ kind: 'auth', status: 401 });
    expect(wrongKey.message).not.toContain('tango-wrong-key');
    expect(await connectorFailure(connect({ accountIdentifier: 'acct-missing' }).check())).toMatchObject({ kind: 'invalid', status: 404 });
    expect((await connectorFailure(connect({ utid: 'U000000' }).check())).message).toMatch(/U000000 is not in/);
    const currency = await connectorFailure(connect({ utid: 'U100200' }).check());
    expect(currency).toMatchObject({ kind: 'invalid' });
    expect(currency.message).toMatch(/EUR reward/);
    await connect({ utid: 'U100200', currency: 'EUR' }).check();
  });

  it('pays a payout with one order: Basic auth, externalRefID = payout id, amount as a number', async () => {
    const request = payout({ amount: '20.5', note: 'Thanks for referring Bob!' });
    const outcome = await connect({ emailSubject: 'Your reward', sender: { firstName: 'Acme' } }).payout!.pay(request);
    expect(outcome.state).toBe('paid');
    const [order] = [...fake.orders.values()];
    expect(outcome.providerReference).toBe(order!.referenceOrderID);
    expect(fake.balance(ACCOUNT)).toBe(79.5);

    const [sent] = orderRequests();
    expect(sent!.headers.authorization).toBe(`Basic ${Buffer.from(`${PLATFORM}:${KEY}`).toString('base64')}`);
    expect(JSON.parse(sent!.body)).toEqual({
      accountIdentifier: ACCOUNT,
      customerIdentifier: CUSTOMER,
      utid: UTID,
      amount: 20.5,
      sendEmail: true,
      externalRefID: request.payoutId,
      recipient: { email: 'ann@example.com', firstName: 'Ann', lastName: 'Lee' },
      sender: { firstName: 'Acme' },
      emailSubject: 'Your reward',
      message: 'Thanks for referring Bob!',
    });
    expect(runtime.checkedTargets).toContain(fake.baseUrl);
  });

  it('the same payout id sent twice places one order and gives the first outcome back (Tango answers 200)', async () => {
    const connector = connect().payout!;
    const request = payout();
    const first = await connector.pay(request);
    // A second worker, or a retry after a crash, even with a changed amount: still the first order.
    const second = await connector.pay({ ...request, amount: '35' });
    expect(second).toEqual(first);
    expect(fake.orders.size).toBe(1);
    expect(fake.balance(ACCOUNT)).toBe(80);
    expect(orderRequests()).toHaveLength(2);
  });

  it.each(['conflict', 'validation'] as const)(
    'a duplicate answered with an error naming the externalRefID (%s) is looked up, never ordered again',
    async (answer) => {
      const connector = connect().payout!;
      const request = payout();
      const first = await connector.pay(request);
      fake.setDuplicateAnswer(answer);
      const second = await connector.pay(request);
      expect(second).toEqual(first);
      expect(fake.orders.size).toBe(1);
      const lookup = fake.requests.at(-1)!;
      expect(lookup.method).toBe('GET');
      const query = new URL(lookup.path, 'http://x').searchParams;
      expect(query.get('externalRefID')).toBe(request.payoutId);
      expect(query.get('accountIdentifier')).toBe(ACCOUNT);
    },
  );

  it('a 409 for an id Tango does not list is transient (asked again later), and only an order with that very id counts', async () => {
    const connector = connect().payout!;
    await connector.pay(payout());
    const request = payout();
    fake.forceNext({ status: 409 });
    expect(await connectorFailure(connector.pay(request))).toMatchObject({ kind: 'transient', status: 409 });
    // A list that ignores the filter hands back the other payout's order: it must not pass for this one.
    fake.setListIgnoresExternalRefID(true);
    fake.forceNext({ status: 409 });
    expect(await connectorFailure(connector.pay(request))).toMatchObject({ kind: 'transient', status: 409 });
    expect(await connectorFailure(connector.status(request.payoutId, ''))).toMatchObject({ kind: 'invalid' });
    expect(fake.orders.size).toBe(1);
  });

  it('a 5xx is transient, also when the order went through, and the retry with the same id pays once', async () => {
    const connector = connect().payout!;
    const lost = payout();
    fake.forceNext({ status: 503, afterProcessing: true });
    expect(await connectorFailure(connector.pay(lost))).toMatchObject({ kind: 'transient', status: 503 });
    expect(fake.orders.size).toBe(1);
    const retried = await connector.pay(lost);
    expect(retried).toMatchObject({ state: 'paid', providerReference: [...fake.orders.keys()][0] });
    expect(fake.orders.size).toBe(1);

    const refused = payout();
    fake.forceNext({ status: 500 });
    expect(await connectorFailure(connector.pay(refused))).toMatchObject({ kind: 'transient', status: 500 });
    expect(await connector.pay(refused)).toMatchObject({ state: 'paid' });
    expect(fake.orders.size).toBe(2);
    expect(fake.balance(ACCOUNT)).toBe(60);
  });

  it('401 is auth, without the secrets in the message', async () => {
    const failure = await connectorFailure(connect({}, { platformKey: 'tango-wrong-key-yyyyyyyyyyyy' }).payout!.pay(payout()));
    expect(failure).toMatchObject({ kind: 'auth', status: 401 });
    expect(`${failure.message} ${failure.response ?? ''}`).not.toMatch(/tango-wrong-key|tango-platform-key/);
    expect(fake.orders.size).toBe(0);
  });

  it('429 is rate_limited with the Retry-After wait, and nothing is ordered', async () => {
    fake.forceNext({ status: 429, retryAfter: '7' });
    expect(await connectorFailure(connect().payout!.pay(payout()))).toMatchObject({
      kind: 'rate_limited',
      status: 429,
      retryAfterMs: 7_000,
    });
    fake.forceNext({ status: 429 });
    const bare = await connectorFailure(connect().payout!.pay(payout()));
    expect(bare).toMatchObject({ kind: 'rate_limited' });
    expect(bare.retryAfterMs).toBeUndefined();
    expect(fake.orders.size).toBe(0);
  });

  it('insufficient funds (402) fails the payout; after a top-up the same id pays', async () => {
    const connector = connect().payout!;
    const request = payout({ amount: '150' });
    const outcome = await connector.pay(request);
    expect(outcome).toMatchObject({ state: 'failed', failureCode: 'insufficient_funds', providerReference: '' });
    expect(outcome.failureReason).toMatch(/Insufficient funds/);
    expect(fake.orders.size).toBe(0);
    expect(fake.balance(ACCOUNT)).toBe(100);

    fake.topUp(ACCOUNT, 100);
    expect(await connector.pay(request)).toMatchObject({ state: 'paid' });
    expect(fake.balance(ACCOUNT)).toBe(50);
    expect(fake.orders.size).toBe(1);
  });

  it('a recipient Tango refuses fails the payout as invalid_recipient; a missing first name is taken from the email', async () => {
    const connector = connect().payout!;
    const outcome = await connector.pay(payout({ recipient: { email: 'not-an-address' } }));
    expect(outcome).toMatchObject({ state: 'failed', failureCode: 'invalid_recipient', providerReference: '' });
    expect(outcome.failureReason).toMatch(/recipient\.email/);
    expect(fake.orders.size).toBe(0);

    expect(await connector.pay(payout({ recipient: { email: 'bob.smith@example.com' } }))).toMatchObject({ state: 'paid' });
    expect([...fake.orders.values()][0]!.recipient).toEqual({ email: 'bob.smith@example.com', firstName: 'bob.smith' });
  });

  it('other validation errors (a utid Tango does not know, an amount out of range) are invalid', async () => {
    const utid = await connectorFailure(connect({ utid: 'U000000' }).payout!.pay(payout()));
    expect(utid).toMatchObject({ kind: 'invalid', status: 400 });
    expect(utid.message).toMatch(/utid: The Item identifier provided is not valid/);
    expect(await connectorFailure(connect().payout!.pay(payout({ amount: '5000' })))).toMatchObject({ kind: 'invalid', status: 400 });
    expect(fake.orders.size).toBe(0);
  });

  it('refuses before sending: another currency, a reward kind it does not pay, an amount the currency cannot carry', async () => {
    const connector = connect().payout!;
    expect((await connectorFailure(connector.pay(payout({ currency: 'EUR' })))).message).toMatch(/pays USD/);
    expect(await connectorFailure(connector.pay(payout({ rewardKind: 'cash' })))).toMatchObject({ kind: 'invalid' });
    expect(await connectorFailure(connector.pay(payout({ amount: '20.005' })))).toMatchObject({ kind: 'invalid' });
    expect(await connectorFailure(connector.pay(payout({ payoutId: `pay_${'x'.repeat(100)}` })))).toMatchObject({ kind: 'invalid' });
    expect(fake.requests).toHaveLength(0);
  });

  it('status follows a pending order to COMPLETE, and reports a failed or cancelled order', async () => {
    fake.setPendingReads(2);
    const connector = connect().payout!;
    const request = payout();
    const sent = await connector.pay(request);
    expect(sent.state).toBe('sent');
    const states: string[] = [];
    for (let poll = 0; poll < 10; poll += 1) {
      const outcome = await connector.status(request.payoutId, sent.providerReference);
      expect(outcome.providerReference).toBe(sent.providerReference);
      states.push(outcome.state);
      if (outcome.state !== 'sent') break;
    }
    expect(states).toEqual(['sent', 'sent', 'paid']);
    // Without a reference (pay's answer was lost) the order is found by the payout id.
    expect(await connector.status(request.payoutId, '')).toEqual({ state: 'paid', providerReference: sent.providerReference });

    fake.setOrderStatus(sent.providerReference, 'CANCELLED');
    expect(await connector.status(request.payoutId, sent.providerReference)).toMatchObject({ state: 'failed', failureCode: 'rejected' });
    expect(await connectorFailure(connector.status(request.payoutId, 'RA000000-0000-00'))).toMatchObject({ kind: 'invalid', status: 404 });
    expect(await connectorFailure(connector.status('pay_unknown', ''))).toMatchObject({ kind: 'invalid' });
    // Another payout's reference never passes for this one.
    const other = payout();
    const otherOutcome = await connector.pay(other);
    expect(await connectorFailure(connector.status(request.payoutId, otherOutcome.providerReference))).toMatchObject({ kind: 'permanent' });
  });

  it('a provider that cannot be reached is transient', async () => {
    const closed = await startTangoCardFake({ platformName: PLATFORM, platformKey: KEY, accounts: [], catalog: [] });
    const baseUrl = closed.baseUrl;
    await closed.close();
    expect(await connectorFailure(connect({ baseUrl }).payout!.pay(payout()))).toMatchObject({ kind: 'transient' });
  });
});
