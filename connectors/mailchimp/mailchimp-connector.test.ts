import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { connectorFailure } from '../../test/support/connector-failure.js';
import { loopbackRuntime } from '../../test/support/loopback-runtime.js';
import { mailchimpLimits } from '../../test/support/mailchimp-limits.js';
import { contractSpecPath, startPrismMock, type PrismExchange, type PrismMock } from '../../test/support/prism-mock.js';
import type { ConnectorDefinition, ConnectorRuntime, OutboundRecord } from '../connector.js';
import { startLocalReceiver, type LocalReceiver } from '../../test/support/start-local-receiver.js';
import { createGuardedLookup } from '../security/guarded-lookup.js';
import { createSsrfGuard } from '../security/ssrf-guard.js';
import { mailchimpConnector, mailchimpSecretsSchema, mailchimpSettingsSchema } from './mailchimp-connector.js';

const SPEC = contractSpecPath('mailchimp-marketing-v3-lists.json');
const API_KEY = '0123456789abcdef0123456789abcdef-us19';
const OTHER_KEY = 'fedcba9876543210fedcba9876543210-us7';
const BASIC_AUTH = 'Basic dXNlcjowMTIzNDU2Nzg5YWJjZGVmMDEyMzQ1Njc4OWFiY2RlZi11czE5'; // base64("user:" + API_KEY)
const LIST_ID = 'a1b2c3d4e5';
// MD5 of the lower-cased addresses, computed outside the connector.
const HASH = {
  ann: '257c57037d384ae37ea27a07e8a01665',
  bob: '4b9bb80620f03eb3719e0a061c14283d',
  cy: '3982b055a5775cdd7fb528b3f9f1d601',
};

let sequence = 0;
function record(data: Record<string, unknown>, key = `ref_${++sequence}`): OutboundRecord {
  return { key, event: { id: `evt_${sequence}`, type: 'referral.created', timestamp: '2025-01-02T03:04:05.000Z' }, data };
}

/** Method, path, status and contract violations of each exchange, sorted for concurrent calls. */
function contract(exchanges: readonly PrismExchange[]) {
  return exchanges
    .map((x) => ({ request: `${x.method} ${x.path}`, status: x.status, violations: x.violations }))
    .sort((a, b) => a.request.localeCompare(b.request));
}

const bodyOf = (exchange: PrismExchange | undefined): unknown => JSON.parse(exchange?.requestBody ?? 'null');

describe('mailchimpConnector against the Mailchimp spec (Prism)', () => {
  let mock: PrismMock;
  beforeAll(async () => {
    mock = await startPrismMock(SPEC);
  });
  afterAll(() => mock?.close());
  beforeEach(() => {
    mock.exchanges.length = 0;
  });

  function connect(settings: Record<string, unknown> = {}, apiKey = API_KEY, runtime: ConnectorRuntime = loopbackRuntime()) {
    return mailchimpConnector.create(
      {
        settings: mailchimpSettingsSchema.parse({ listId: LIST_ID, baseUrl: mock.url, ...settings }),
        secrets: mailchimpSecretsSchema.parse({ apiKey }),
      },
      runtime,
    );
  }

  it('is a ConnectorDefinition with Mailchimp batch size and connection allowance', () => {
    const definition: ConnectorDefinition = mailchimpConnector;
    expect(definition.kind).toBe('mailchimp');
    const destination = connect().destination;
    expect(destination?.batchSize).toBe(500);
    // Mailchimp limits simultaneous connections (10), not requests per second.
    expect(destination?.requestsPerSecond).toBeUndefined();
    // As many batches in flight as the documented connection limit, unless the settings say fewer.
    expect(destination?.maxInFlight).toBe(10);
    expect(connect({ concurrency: 3 }).destination?.maxInFlight).toBe(3);
  });

  it('upserts one record with PUT on the subscriber hash, mapped fields as merge fields', async () => {
    const ann = record({ email: 'Ann@Example.com', promo: 'ANN4K2', LINK: 'https://hub.example/r/ANN4K2', FNAME: 'Ann', SIGNUP: null });
    const results = await connect().destination!.push([ann]);

    expect(results).toEqual([{ key: ann.key, ok: true, status: 200 }]);
    expect(contract(mock.exchanges)).toEqual([
      { request: `PUT /lists/${LIST_ID}/members/${HASH.ann}`, status: 200, violations: undefined },
    ]);
    const [put] = mock.exchanges;
    expect(put?.requestHeaders.authorization).toBe(BASIC_AUTH);
    expect(bodyOf(put)).toEqual({
      email_address: 'Ann@Example.com',
      status_if_new: 'subscribed',
      merge_fields: { PROMO: 'ANN4K2', LINK: 'https://hub.example/r/ANN4K2', FNAME: 'Ann', SIGNUP: '' },
    });
  });

  it('adds REFCODE and REFURL to the audience once, before the first member that carries them', async () => {
    const destination = connect().destination!;
    const ann = record({ email: 'ann@example.com', FNAME: 'Ann', REFCODE: 'ANN4K2', REFURL: 'https://hub.example/r/ANN4K2' });
    expect(await destination.push([ann])).toEqual([{ key: ann.key, ok: true, status: 200 }]);

    // Prism's generated list holds neither tag, so both are added; every call passes the contract.
    const mergeFields = `/lists/${LIST_ID}/merge-fields`;
    expect(
      mock.exchanges.map((x) => ({ request: `${x.method} ${x.path.split('?')[0]}`, status: x.status, violations: x.violations })),
    ).toEqual([
      { request: `GET ${mergeFields}`, status: 200, violations: undefined },
      { request: `POST ${mergeFields}`, status: 200, violations: undefined },
      { request: `POST ${mergeFields}`, status: 200, violations: undefined },
      { request: `PUT /lists/${LIST_ID}/members/${HASH.ann}`, status: 200, violations: undefined },
    ]);
    expect(mock.exchanges.filter((x) => x.method === 'POST').map(bodyOf)).toEqual([
      { tag: 'REFCODE', name: 'Referral code', type: 'text', public: false, required: false },
      { tag: 'REFURL', name: 'Referral link', type: 'text', public: false, required: false },
    ]);

    // Known from now on: the next push is the member call alone.
    mock.exchanges.length = 0;
    await destination.push([record({ email: 'bob@example.com', REFCODE: 'BOB7' })]);
    expect(contract(mock.exchanges)).toEqual([
      { request: `PUT /lists/${LIST_ID}/members/${HASH.bob}`, status: 200, violations: undefined },
    ]);
  });

  it('adds a merge field once when two batches carrying it are in flight together', async () => {
    const destination = connect().destination!;
    await Promise.all([
      destination.push([record({ email: 'ann@example.com', REFCODE: 'A' })]),
      destination.push([record({ email: 'bob@example.com', REFCODE: 'B' })]),
    ]);
    const mergeFieldCalls = mock.exchanges.filter((x) => x.path.includes('/merge-fields')).map((x) => x.method);
    expect(mergeFieldCalls).toEqual(['GET', 'POST']);
  });

  it("leaves merge fields of the user's own mapping alone", async () => {
    await connect().destination!.push([record({ email: 'ann@example.com', GENDER: 'Female' })]);
    expect(mock.exchanges.map((x) => x.path)).toEqual([`/lists/${LIST_ID}/members/${HASH.ann}`]);
  });

  it('sends statusIfNew from the settings', async () => {
    await connect({ statusIfNew: 'pending' }).destination!.push([record({ email: 'ann@example.com' })]);
    expect(bodyOf(mock.exchanges[0])).toMatchObject({ status_if_new: 'pending' });
    expect(contract(mock.exchanges)[0]?.status).toBe(200);
  });

  it('upserts several records with one batch subscribe call', async () => {
    const records = [
      record({ email: 'ann@example.com', promo: 'A1' }),
      record({ email: 'bob@example.com', promo: 'B2' }),
      record({ email: 'cy@example.com' }),
    ];
    const results = await connect().destination!.push(records);

    expect(results).toEqual(records.map((r) => ({ key: r.key, ok: true, status: 200 })));
    expect(contract(mock.exchanges)).toEqual([{ request: `POST /lists/${LIST_ID}`, status: 200, violations: undefined }]);
    expect(bodyOf(mock.exchanges[0])).toEqual({
      members: [
        { email_address: 'ann@example.com', status: 'subscribed', merge_fields: { PROMO: 'A1' } },
        { email_address: 'bob@example.com', status: 'subscribed', merge_fields: { PROMO: 'B2' } },
        { email_address: 'cy@example.com', status: 'subscribed', merge_fields: {} },
      ],
      update_existing: true,
    });
  });

  it('adds the connector tags and the record tags through the member tags endpoint', async () => {
    const ann = record({ email: 'ann@example.com', tags: ['vip'] });
    const results = await connect({ tags: ['advocate'] }).destination!.push([ann]);

    expect(results).toEqual([{ key: ann.key, ok: true, status: 200 }]);
    expect(contract(mock.exchanges)).toEqual([
      { request: `POST /lists/${LIST_ID}/members/${HASH.ann}/tags`, status: 204, violations: undefined },
      { request: `PUT /lists/${LIST_ID}/members/${HASH.ann}`, status: 200, violations: undefined },
    ]);
    const tags = mock.exchanges.find((x) => x.path.endsWith('/tags'));
    expect(bodyOf(tags)).toEqual({
      tags: [
        { name: 'advocate', status: 'active' },
        { name: 'vip', status: 'active' },
      ],
    });
  });

  it('tags every member of a batch after the batch call', async () => {
    await connect({ tags: ['advocate'] }).destination!.push([record({ email: 'ann@example.com' }), record({ email: 'bob@example.com' })]);
    expect(contract(mock.exchanges)).toEqual([
      { request: `POST /lists/${LIST_ID}`, status: 200, violations: undefined },
      { request: `POST /lists/${LIST_ID}/members/${HASH.ann}/tags`, status: 204, violations: undefined },
      { request: `POST /lists/${LIST_ID}/members/${HASH.bob}/tags`, status: 204, violations: undefined },
    ]);
    expect(mock.exchanges[0]?.path).toBe(`/lists/${LIST_ID}`);
  });

  it('sends more than 500 records in chunks of at most 500', async () => {
    const records = Array.from({ length: 501 }, (_, i) => record({ email: `member${i}@example.com` }));
    const results = await connect().destination!.push(records);
    expect(results.every((r) => r.ok)).toBe(true);
    expect(results.map((r) => r.key)).toEqual(records.map((r) => r.key));
    expect(contract(mock.exchanges).map((x) => [x.request.split(' ')[0], x.status, x.violations])).toEqual([
      ['POST', 200, undefined],
      ['PUT', 200, undefined],
    ]);
    const batch = mock.exchanges.find((x) => x.method === 'POST');
    expect((bodyOf(batch) as { members: unknown[] }).members).toHaveLength(500);
  });

  it('sends one member for records with the same address, newest fields winning', async () => {
    const first = record({ email: 'ann@example.com', promo: 'OLD', fname: 'Ann' });
    const second = record({ email: 'ANN@example.com', promo: 'NEW' });
    const results = await connect().destination!.push([first, second]);
    expect(results).toEqual([
      { key: first.key, ok: true, status: 200 },
      { key: second.key, ok: true, status: 200 },
    ]);
    expect(contract(mock.exchanges)).toEqual([
      { request: `PUT /lists/${LIST_ID}/members/${HASH.ann}`, status: 200, violations: undefined },
    ]);
    expect(bodyOf(mock.exchanges[0])).toMatchObject({ email_address: 'ANN@example.com', merge_fields: { PROMO: 'NEW', FNAME: 'Ann' } });
  });

  it('fails records that cannot be members without sending them, and sends the rest', async () => {
    const good = record({ email: 'ann@example.com' });
    const longName = record({ email: 'bob@example.com', referralcode: 'X' });
    const badName = record({ email: 'cy@example.com', 'ref-code': 'X' });
    const noEmail = record({ promo: 'X' });
    const badTags = record({ email: 'dee@example.com', tags: [42] });
    const results = await connect().destination!.push([good, longName, badName, noEmail, badTags]);

    expect(results).toEqual([
      { key: good.key, ok: true, status: 200 },
      {
        key: longName.key,
        ok: false,
        error: { kind: 'invalid', message: '"referralcode" is not a Mailchimp merge tag (1-10 characters of A-Z, 0-9 and _)' },
      },
      {
        key: badName.key,
        ok: false,
        error: { kind: 'invalid', message: '"ref-code" is not a Mailchimp merge tag (1-10 characters of A-Z, 0-9 and _)' },
      },
      { key: noEmail.key, ok: false, error: { kind: 'invalid', message: 'record has no valid "email" field' } },
      {
        key: badTags.key,
        ok: false,
        error: { kind: 'invalid', message: '"tags" must be a tag name or a list of names of 1-100 characters' },
      },
    ]);
    expect(contract(mock.exchanges)).toEqual([
      { request: `PUT /lists/${LIST_ID}/members/${HASH.ann}`, status: 200, violations: undefined },
    ]);
  });

  it('makes no request when every record is invalid', async () => {
    const results = await connect().destination!.push([record({ name: 'no email' })]);
    expect(results[0]?.ok).toBe(false);
    expect(mock.exchanges).toHaveLength(0);
  });

  it('check() pings the API', async () => {
    await expect(connect().check()).resolves.toBeUndefined();
    expect(contract(mock.exchanges)).toEqual([{ request: 'GET /ping', status: 200, violations: undefined }]);
    expect(mock.exchanges[0]?.requestHeaders.authorization).toBe(BASIC_AUTH);
  });

  it('classifies a missing credential (401 from the contract) as auth', async () => {
    mock.overrideNext({ dropAuthorization: true });
    const error = await connectorFailure(connect().check());
    expect(error).toMatchObject({ kind: 'auth', status: 401 });
    expect(error.message).toMatch(/^Mailchimp answered HTTP 401/);
    expect(mock.exchanges[0]?.status).toBe(401);
    expect(JSON.stringify(mock.exchanges[0]?.violations)).toContain('Invalid security scheme used');

    mock.overrideNext({ dropAuthorization: true });
    expect(await connectorFailure(connect().destination!.push([record({ email: 'ann@example.com' })]))).toMatchObject({
      kind: 'auth',
      status: 401,
    });
  });

  it.each([
    ['code=429', 'rate_limited', 429],
    ['code=503', 'transient', 503],
    ['code=404', 'invalid', 404],
  ])('classifies Prefer %s from the spec as %s', async (prefer, kind, status) => {
    mock.overrideNext({ prefer });
    const error = await connectorFailure(
      connect().destination!.push([record({ email: 'ann@example.com' }), record({ email: 'bob@example.com' })]),
    );
    expect(error).toMatchObject({ kind, status });
    expect(error.retryAfterMs).toBeUndefined();
    // Prism's example problem body is carried into the message.
    expect(error.message).toContain('Resource Not Found — The requested resource could not be found.');
    expect(contract(mock.exchanges)).toEqual([{ request: `POST /lists/${LIST_ID}`, status, violations: undefined }]);
  });

  it('keeps two connectors on their own keys when their calls interleave', async () => {
    const first = connect({ listId: 'list0first' }, API_KEY);
    const second = connect({ listId: 'list1second' }, OTHER_KEY);
    await Promise.all(
      Array.from({ length: 6 }, (_, i) => (i % 2 === 0 ? first : second).destination!.push([record({ email: `m${i}@example.com` })])),
    );
    expect(mock.exchanges).toHaveLength(6);
    for (const exchange of mock.exchanges) {
      const key = exchange.path.startsWith('/lists/list0first/') ? API_KEY : OTHER_KEY;
      expect(exchange.requestHeaders.authorization).toBe(`Basic ${Buffer.from(`user:${key}`).toString('base64')}`);
      expect(exchange.status).toBe(200);
    }
  });

  it('derives the production base URL from the key and consults the SSRF guard first', async () => {
    const runtime = loopbackRuntime();
    const connector = mailchimpConnector.create(
      { settings: mailchimpSettingsSchema.parse({ listId: LIST_ID }), secrets: { apiKey: API_KEY } },
      runtime,
    );
    const error = await connectorFailure(connector.destination!.push([record({ email: 'ann@example.com' })]));
    expect(error.kind).toBe('invalid');
    expect(runtime.checkedTargets).toEqual(['https://us19.api.mailchimp.com/3.0']);
    expect((await connectorFailure(connector.check())).kind).toBe('invalid');
    expect(mock.exchanges).toHaveLength(0);
  });
});

describe("mailchimpConnector against the Mailchimp spec with Mailchimp's connection limit", () => {
  // Every call takes a while there, so calls of parallel pushes really overlap at the proxy.
  const ROUND_TRIP_MS = 150;
  let mock: PrismMock;
  beforeAll(async () => {
    mock = await startPrismMock(
      SPEC,
      mailchimpLimits((_method, path) => (path === '/ping' ? 1_500 : ROUND_TRIP_MS)),
    );
  });
  afterAll(() => mock?.close());
  beforeEach(() => {
    mock.exchanges.length = 0;
    mock.limits.peakInFlight = 0;
    mock.limits.refused = 0;
  });

  const connect = (settings: Record<string, unknown> = {}) =>
    mailchimpConnector.create(
      {
        settings: mailchimpSettingsSchema.parse({ listId: LIST_ID, baseUrl: mock.url, tags: ['advocate'], ...settings }),
        secrets: mailchimpSecretsSchema.parse({ apiKey: API_KEY }),
      },
      loopbackRuntime(),
    );
  const batchOf = (i: number) => [record({ email: `a${i}@example.com` }), record({ email: `b${i}@example.com` })];

  it('keeps batches and their tag calls together within the concurrency setting: no 429, the allowance used', async () => {
    const destination = connect().destination!;
    // 25 pushes at once, each a batch call and two tag calls: 75 calls for 10 connections.
    const results = await Promise.all(Array.from({ length: 25 }, (_, i) => destination.push(batchOf(i))));
    expect(results.flat().every((r) => r.ok)).toBe(true);
    expect(mock.exchanges).toHaveLength(75);
    expect(mock.exchanges.every((x) => x.status === 200 || x.status === 204)).toBe(true);
    expect(mock.limits).toMatchObject({ refused: 0, peakInFlight: 10 });
  });

  it('holds a lower concurrency setting', async () => {
    const destination = connect({ concurrency: 3 }).destination!;
    await Promise.all(Array.from({ length: 6 }, (_, i) => destination.push(batchOf(i))));
    expect(mock.limits).toMatchObject({ refused: 0, peakInFlight: 3 });
  });

  it("classifies the 11th simultaneous connection's 429 (another integration on the key holds one) as rate_limited", async () => {
    // Another integration on the same key keeps one connection busy.
    const outside = connect({ concurrency: 1 }).check();
    await vi.waitFor(() => expect(mock.limits.inFlight).toBe(1));
    const destination = connect().destination!;
    const settled = await Promise.allSettled(Array.from({ length: 10 }, (_, i) => destination.push(batchOf(i))));
    await outside;

    const refused = mock.exchanges.filter((x) => x.status === 429);
    expect(refused.length).toBeGreaterThanOrEqual(1);
    expect(mock.limits.refused).toBe(refused.length);
    const failures = settled.filter((r) => r.status === 'rejected').map((r) => (r as PromiseRejectedResult).reason as unknown);
    expect(failures.length).toBeGreaterThanOrEqual(1);
    for (const failure of failures) {
      expect(failure).toMatchObject({ kind: 'rate_limited', status: 429, retryAfterMs: undefined });
      expect(String((failure as Error).message)).toBe(
        'Mailchimp answered HTTP 429: Too Many Requests — You have exceeded the limit of 10 simultaneous connections.',
      );
    }
  });
});

describe('mailchimpConnector against a scripted server', () => {
  let receiver: LocalReceiver;
  beforeAll(async () => {
    receiver = await startLocalReceiver();
  });
  afterAll(() => receiver.close());
  beforeEach(() => {
    receiver.requests.length = 0;
  });

  const problem = (status: number, title: string, detail: string) => ({
    status,
    headers: { 'content-type': 'application/problem+json' },
    body: JSON.stringify({ type: 'https://mailchimp.com/developer/marketing/docs/errors/', title, status, detail, instance: 'b5c1' }),
  });

  function connect(runtime: ConnectorRuntime = loopbackRuntime()) {
    return mailchimpConnector.create(
      { settings: mailchimpSettingsSchema.parse({ listId: LIST_ID, baseUrl: `${receiver.url}/3.0` }), secrets: { apiKey: API_KEY } },
      runtime,
    );
  }

  it('turns batch subscribe errors[] into failures of those records only', async () => {
    receiver.reply = () => ({
      status: 200,
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        new_members: [{ email_address: 'ann@example.com' }],
        updated_members: [],
        errors: [{ email_address: 'BOB@example.com', error: 'bob@example.com looks fake or invalid', error_code: 'ERROR_FAKE_EMAIL' }],
        total_created: 1,
        total_updated: 0,
        error_count: 1,
      }),
    });
    const ann = record({ email: 'ann@example.com' });
    const bob = record({ email: 'bob@example.com' });
    const results = await connect().destination!.push([ann, bob]);
    expect(results).toEqual([
      { key: ann.key, ok: true, status: 200 },
      {
        key: bob.key,
        ok: false,
        error: { kind: 'invalid', message: 'Mailchimp refused the member: bob@example.com looks fake or invalid (ERROR_FAKE_EMAIL)' },
      },
    ]);
    expect(receiver.requests.map((r) => `${r.method} ${r.path}`)).toEqual([`POST /3.0/lists/${LIST_ID}`]);
  });

  it('fails only the record when Mailchimp refuses a single member (400)', async () => {
    receiver.reply = () => problem(400, 'Member In Compliance State', 'ann@example.com is in a compliance state and cannot be subscribed.');
    const ann = record({ email: 'ann@example.com' });
    expect(await connect().destination!.push([ann])).toEqual([
      {
        key: ann.key,
        ok: false,
        error: {
          kind: 'invalid',
          status: 400,
          message:
            'Mailchimp answered HTTP 400: Member In Compliance State — ann@example.com is in a compliance state and cannot be subscribed.',
        },
      },
    ]);
  });

  it('fails the whole push when the audience does not exist (404)', async () => {
    receiver.reply = () => problem(404, 'Resource Not Found', 'The requested resource could not be found.');
    expect(await connectorFailure(connect().destination!.push([record({ email: 'ann@example.com' })]))).toMatchObject({
      kind: 'invalid',
      status: 404,
    });
  });

  it('honours a Retry-After on 429', async () => {
    receiver.reply = () => ({
      ...problem(429, 'Too Many Requests', 'You have exceeded the limit of 10 simultaneous connections.'),
      headers: { 'retry-after': '7' },
    });
    const error = await connectorFailure(connect().destination!.push([record({ email: 'ann@example.com' })]));
    expect(error).toMatchObject({ kind: 'rate_limited', status: 429, retryAfterMs: 7000 });
  });

  it('keeps the API key out of error messages even when the server echoes it', async () => {
    receiver.reply = (request) =>
      problem(401, 'API Key Invalid', `Your API key ${API_KEY} (${request.headers.authorization}) may be invalid.`);
    const error = await connectorFailure(connect().check());
    expect(error.kind).toBe('auth');
    expect(error.message).toContain('[redacted]');
    expect(error.message).not.toContain(API_KEY);
    expect(error.message).not.toContain(BASIC_AUTH.slice('Basic '.length));
    expect(error.cause).toBeUndefined();
  });

  it('does not follow redirects', async () => {
    receiver.reply = () => ({ status: 302, headers: { location: 'http://169.254.169.254/latest/meta-data' } });
    const error = await connectorFailure(connect().check());
    expect(error).toMatchObject({ kind: 'invalid', status: 302 });
    expect(receiver.requests).toHaveLength(1);
  });

  it('times out with the runtime timeout as transient', async () => {
    receiver.reply = () => ({ status: 200, body: '{}', delayMs: 1_000 });
    const error = await connectorFailure(connect(loopbackRuntime(100)).check());
    expect(error.kind).toBe('transient');
  });

  it('connects through the runtime guarded lookup (DNS rebinding is refused at connect time)', async () => {
    // The URL check sees a public address; the connection would land on loopback.
    const runtime: ConnectorRuntime = {
      assertTargetAllowed: createSsrfGuard({ allowPrivate: false, lookup: async () => ['93.184.216.34'] }).assertTargetAllowed,
      timeoutMs: 5_000,
      lookup: createGuardedLookup({ allowPrivate: false, lookup: async () => ['127.0.0.1'] }),
    };
    const baseUrl = `http://rebind.example:${new URL(receiver.url).port}/3.0`;
    const connector = mailchimpConnector.create(
      { settings: mailchimpSettingsSchema.parse({ listId: LIST_ID, baseUrl }), secrets: { apiKey: API_KEY } },
      runtime,
    );
    const error = await connectorFailure(connector.destination!.push([record({ email: 'ann@example.com' })]));
    expect(error.kind).toBe('invalid');
    expect(error.message).toContain('target rebind.example resolves to 127.0.0.1');
    expect(receiver.requests).toHaveLength(0);
  });

  it('treats a refused connection as transient', async () => {
    const closed = await startLocalReceiver();
    const url = closed.url;
    await closed.close();
    const connector = mailchimpConnector.create(
      { settings: mailchimpSettingsSchema.parse({ listId: LIST_ID, baseUrl: url }), secrets: { apiKey: API_KEY } },
      loopbackRuntime(),
    );
    const error = await connectorFailure(connector.check());
    expect(error.kind).toBe('transient');
    expect(error.message).toContain('ECONNREFUSED');
  });
});

describe('mailchimp config schemas', () => {
  it('accepts the documented settings and key', () => {
    expect(mailchimpSettingsSchema.parse({ listId: 'a1b2c3d4e5', tags: ['advocate'], statusIfNew: 'pending' })).toEqual({
      listId: 'a1b2c3d4e5',
      tags: ['advocate'],
      statusIfNew: 'pending',
      concurrency: 10,
    });
    expect(mailchimpSettingsSchema.parse({ listId: 'a1b2c3d4e5', concurrency: 4 }).concurrency).toBe(4);
    expect(mailchimpSecretsSchema.parse({ apiKey: API_KEY })).toEqual({ apiKey: API_KEY });
  });

  it('refuses a key without a data centre suffix without echoing it', () => {
    const apiKey = '0123456789abcdef0123456789abcdef';
    const result = mailchimpSecretsSchema.safeParse({ apiKey });
    expect(result.success).toBe(false);
    expect(JSON.stringify(result.error?.issues)).not.toContain(apiKey);
  });

  it("refuses more than Mailchimp's 10 simultaneous connections, saying why", () => {
    const result = mailchimpSettingsSchema.safeParse({ listId: 'x', concurrency: 11 });
    expect(result.error?.issues.map((i) => [i.path.join('.'), i.message])).toEqual([
      ['concurrency', 'concurrency must be at most 10: Mailchimp refuses more than 10 simultaneous connections per API key (HTTP 429)'],
    ]);
  });

  it.each([
    { listId: '' },
    { listId: 'a/../b' },
    { listId: 'x', statusIfNew: 'cleaned' },
    { listId: 'x', baseUrl: 'ftp://mock' },
    { listId: 'x', concurrency: 0 },
    { listId: 'x', concurrency: 2.5 },
    { listId: 'x', concurrency: '10' },
  ])('refuses %j', (settings) => {
    expect(mailchimpSettingsSchema.safeParse(settings).success).toBe(false);
  });
});
