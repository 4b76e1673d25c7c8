import axios from 'axios';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { connectorFailure } from '../../test/support/connector-failure.js';
import { startHubSpotFake, type HubSpotFake } from '../../test/support/hubspot-fake.js';
import { loopbackRuntime } from '../../test/support/loopback-runtime.js';
import type { ConnectorDefinition, ConnectorRuntime, OutboundRecord } from '../connector.js';
import { startLocalReceiver, type LocalReceiver } from '../../test/support/start-local-receiver.js';
import { createGuardedLookup } from '../security/guarded-lookup.js';
import { createSsrfGuard } from '../security/ssrf-guard.js';
import { hubspotConnector, hubspotSecretsSchema, hubspotSettingsSchema } from './hubspot-connector.js';

const TOKEN = 'pat-na1-11111111-2222-3333-4444-555555555555';

let sequence = 0;
function record(data: Record<string, unknown>, key = `ref_${++sequence}`): OutboundRecord {
  return { key, event: { id: `evt_${sequence}`, type: 'referral.created', timestamp: '2025-01-02T03:04:05.000Z' }, data };
}

type UpsertBody = { inputs: Array<{ idProperty: string; id: string; properties: Record<string, string>; objectWriteTraceId?: string }> };
const bodyOf = (request: { body: string } | undefined): UpsertBody => JSON.parse(request?.body ?? 'null') as UpsertBody;

describe('hubspotConnector against the HubSpot fake', () => {
  let fake: HubSpotFake;
  beforeAll(async () => {
    // The custom properties these tests write exist in the portal; HubSpot refuses unknown ones.
    fake = await startHubSpotFake({
      accessToken: TOKEN,
      properties: ['code', 'referral_code', 'referral_referrals', 'referral_advocate', 'referral_channels', 'referral_note'],
    });
  });
  afterAll(() => fake?.close());
  beforeEach(() => {
    fake.requests.length = 0;
    fake.contacts.clear();
    for (const name of [...fake.properties.keys()]) if (name.includes('referral_hub_')) fake.properties.delete(name);
    fake.deals.clear();
    fake.setRateLimit(undefined);
  });

  function connect(settings: Record<string, unknown> = {}, accessToken = TOKEN, runtime: ConnectorRuntime = loopbackRuntime()) {
    return hubspotConnector.create(
      { settings: hubspotSettingsSchema.parse({ baseUrl: fake.url, ...settings }), secrets: hubspotSecretsSchema.parse({ accessToken }) },
      runtime,
    );
  }

  it('is a ConnectorDefinition with HubSpot batch size and rate', () => {
    const definition: ConnectorDefinition = hubspotConnector;
    expect(definition.kind).toBe('hubspot');
    expect(connect().destination?.batchSize).toBe(100);
    expect(connect().destination?.requestsPerSecond).toBe(10);
  });

  it("looks up a deal's contact emails (deal associations, then contacts batch read) for deal stage webhooks", async () => {
    const dealId = fake.addDeal(['ann@example.com', 'Bob@Example.com']);
    const lonely = fake.addDeal([]);
    const lookup = connect().dealContacts!;
    expect(await lookup.emails(dealId)).toEqual(['ann@example.com', 'Bob@Example.com']);
    expect(await lookup.emails(lonely)).toEqual([]);
    const [dealRequest, readRequest] = fake.requests.slice(0, 2);
    expect(dealRequest).toMatchObject({ method: 'GET', path: `/crm/v3/objects/deals/${dealId}?associations=contacts` });
    expect(dealRequest!.headers.authorization).toBe(`Bearer ${TOKEN}`);
    expect(JSON.parse(readRequest!.body)).toEqual({
      properties: ['email'],
      inputs: [{ id: fake.contacts.get('ann@example.com')!.id }, { id: fake.contacts.get('bob@example.com')!.id }],
    });

    expect(await connectorFailure(lookup.emails('999999'))).toMatchObject({ kind: 'invalid', status: 404 });
    expect(await connectorFailure(lookup.emails('../contacts'))).toMatchObject({ kind: 'invalid' });
    expect(await connectorFailure(connect({}, 'pat-na1-wrong').dealContacts!.emails(dealId))).toMatchObject({ kind: 'auth', status: 401 });
    fake.forceNext({ status: 429 });
    expect(await connectorFailure(lookup.emails(dealId))).toMatchObject({ kind: 'rate_limited', retryAfterMs: 10_000 });
    fake.forceNext({ status: 503 });
    expect(await connectorFailure(lookup.emails(dealId))).toMatchObject({ kind: 'transient' });
  });

  it('upserts contacts by email with a Bearer token, prefixing custom properties', async () => {
    const ann = record({
      email: 'ann@example.com',
      firstname: 'Ann',
      code: 'ANN4K2',
      referrals: 3,
      advocate: true,
      channels: ['email', 'sms'],
      hs_lead_status: 'NEW',
    });
    const bob = record({ email: 'bob@example.com', firstname: 'Bob', referral_code: 'BOB7', note: null });
    const results = await connect({ propertyPrefix: 'referral_' }).destination!.push([ann, bob]);

    expect(results).toEqual([
      { key: ann.key, ok: true, status: 200 },
      { key: bob.key, ok: true, status: 200 },
    ]);
    expect(fake.requests).toHaveLength(1);
    const [request] = fake.requests;
    expect(request?.method).toBe('POST');
    expect(request?.path).toBe('/crm/v3/objects/contacts/batch/upsert');
    expect(request?.headers.authorization).toBe(`Bearer ${TOKEN}`);
    expect(bodyOf(request).inputs).toEqual([
      {
        idProperty: 'email',
        id: 'ann@example.com',
        objectWriteTraceId: '0',
        properties: {
          firstname: 'Ann',
          referral_code: 'ANN4K2',
          referral_referrals: '3',
          referral_advocate: 'true',
          referral_channels: 'email;sms',
          hs_lead_status: 'NEW',
        },
      },
      {
        idProperty: 'email',
        id: 'bob@example.com',
        objectWriteTraceId: '1',
        properties: { firstname: 'Bob', referral_code: 'BOB7', referral_note: '' },
      },
    ]);
    expect(fake.contacts.get('ann@example.com')?.properties).toMatchObject({ email: 'ann@example.com', referral_code: 'ANN4K2' });
    expect(fake.contacts.size).toBe(2);
  });

  it('is idempotent: the same record twice leaves one contact, a change updates it', async () => {
    const destination = connect().destination!;
    const ann = record({ email: 'ann@example.com', code: 'A1' });
    await destination.push([ann]);
    await destination.push([ann]);
    expect(fake.contacts.size).toBe(1);
    const id = fake.contacts.get('ann@example.com')?.id;

    const results = await destination.push([record({ email: 'Ann@Example.com', code: 'A2' })]);
    expect(results[0]?.ok).toBe(true);
    expect(fake.contacts.size).toBe(1);
    expect(fake.contacts.get('ann@example.com')).toMatchObject({ id, properties: { code: 'A2' } });
  });

  it('sends one input for records with the same email, newest values winning', async () => {
    const first = record({ email: 'ann@example.com', code: 'OLD', firstname: 'Ann' });
    const second = record({ email: 'ANN@example.com', code: 'NEW' });
    const results = await connect().destination!.push([first, second]);
    // The fake refuses duplicate ids in one batch, as HubSpot does.
    expect(results.map((r) => r.ok)).toEqual([true, true]);
    expect(bodyOf(fake.requests[0]).inputs).toEqual([
      { idProperty: 'email', id: 'ANN@example.com', objectWriteTraceId: '0', properties: { code: 'NEW', firstname: 'Ann' } },
    ]);
  });

  it('the fake refuses 101 inputs, so the connector sends at most 100 per request', async () => {
    const inputs = Array.from({ length: 101 }, (_, i) => ({ idProperty: 'email', id: `m${i}@example.com`, properties: {} }));
    const direct = await axios.post(
      `${fake.url}/crm/v3/objects/contacts/batch/upsert`,
      { inputs },
      { headers: { Authorization: `Bearer ${TOKEN}` }, validateStatus: () => true },
    );
    expect(direct.status).toBe(400);
    expect(direct.data).toMatchObject({ status: 'error', category: 'VALIDATION_ERROR' });
    fake.requests.length = 0;

    const records = Array.from({ length: 101 }, (_, i) => record({ email: `m${i}@example.com` }));
    const results = await connect().destination!.push(records);
    expect(results.every((r) => r.ok)).toBe(true);
    expect(fake.requests.map((r) => bodyOf(r).inputs.length)).toEqual([100, 1]);
    expect(fake.contacts.size).toBe(101);
  });

  it('fails only the record HubSpot refuses for an invalid email (207), with the reason', async () => {
    const ann = record({ email: 'ann@example.com' });
    const bad = record({ email: 'bob@example' });
    const cy = record({ email: 'cy@example.com' });
    const results = await connect().destination!.push([ann, bad, cy]);

    expect(results).toEqual([
      { key: ann.key, ok: true, status: 207 },
      {
        key: bad.key,
        ok: false,
        error: { kind: 'invalid', message: expect.stringContaining('Email address bob@example is invalid') as string },
      },
      { key: cy.key, ok: true, status: 207 },
    ]);
    expect(results[1]).toMatchObject({
      error: { message: expect.stringMatching(/^HubSpot refused the contact: VALIDATION_ERROR: /) as string },
    });
    expect([...fake.contacts.keys()].sort()).toEqual(['ann@example.com', 'cy@example.com']);
  });

  it("creates the hub's own properties the first time a record carries them, then upserts", async () => {
    const destination = connect().destination!;
    const ann = record({
      email: 'ann@example.com',
      firstname: 'Ann',
      referral_hub_code: 'ANN4K2',
      referral_hub_link: 'https://hub.example/r/ANN4K2',
    });
    expect(await destination.push([ann])).toEqual([{ key: ann.key, ok: true, status: 200 }]);
    expect(fake.requests.map((r) => `${r.method} ${r.path}`)).toEqual([
      'GET /crm/v3/properties/contacts',
      'POST /crm/v3/properties/contacts',
      'POST /crm/v3/properties/contacts',
      'POST /crm/v3/objects/contacts/batch/upsert',
    ]);
    expect(fake.properties.get('referral_hub_code')).toMatchObject({
      label: 'Referral code',
      type: 'string',
      fieldType: 'text',
      groupName: 'contactinformation',
    });
    expect(fake.properties.get('referral_hub_link')).toMatchObject({ label: 'Referral link' });
    expect(fake.contacts.get('ann@example.com')?.properties).toMatchObject({
      referral_hub_code: 'ANN4K2',
      referral_hub_link: 'https://hub.example/r/ANN4K2',
    });

    // The portal's list is read once per connector instance; only the status property is new.
    fake.requests.length = 0;
    await destination.push([record({ email: 'bob@example.com', referral_hub_code: 'BOB7', referral_hub_status: 'pending' })]);
    expect(fake.requests.map((r) => `${r.method} ${r.path}`)).toEqual([
      'POST /crm/v3/properties/contacts',
      'POST /crm/v3/objects/contacts/batch/upsert',
    ]);
    expect(JSON.parse(fake.requests[0]!.body)).toMatchObject({ name: 'referral_hub_status' });
  });

  it('creates the hub properties under the configured prefix, and only those that are missing', async () => {
    fake.properties.set('acme_referral_hub_code', {
      name: 'acme_referral_hub_code',
      label: 'Code',
      type: 'string',
      fieldType: 'text',
      groupName: 'contactinformation',
    });
    await connect({ propertyPrefix: 'acme_' }).destination!.push([
      record({ email: 'ann@example.com', referral_hub_code: 'A', referral_hub_link: 'https://x.example/r/A' }),
    ]);
    expect(fake.requests.filter((r) => r.method === 'POST' && r.path.includes('properties')).map((r) => JSON.parse(r.body).name)).toEqual([
      'acme_referral_hub_link',
    ]);
    expect(fake.contacts.get('ann@example.com')?.properties).toMatchObject({
      acme_referral_hub_code: 'A',
      acme_referral_hub_link: 'https://x.example/r/A',
    });
  });

  it('takes "already exists" for an answer when another connector created the property first', async () => {
    // Both list the portal before either creates: the second create is answered 409.
    const [first, second] = await Promise.all([
      connect().destination!.push([record({ email: 'ann@example.com', referral_hub_code: 'A' })]),
      connect().destination!.push([record({ email: 'bob@example.com', referral_hub_code: 'B' })]),
    ]);
    expect([first![0]!.ok, second![0]!.ok]).toEqual([true, true]);
    expect(fake.requests.filter((r) => r.method === 'POST' && r.path === '/crm/v3/properties/contacts')).toHaveLength(2);
    expect(fake.contacts.get('bob@example.com')?.properties).toMatchObject({ referral_hub_code: 'B' });
  });

  it("refuses a property the portal does not have as HubSpot does, and never creates the user's own properties", async () => {
    const ann = record({ email: 'ann@example.com', gender: 'Female' });
    const [result] = await connect().destination!.push([ann]);
    expect(result).toMatchObject({
      key: ann.key,
      ok: false,
      error: { kind: 'invalid', message: expect.stringContaining('Property \\"gender\\" does not exist') as string },
    });
    expect(fake.requests.map((r) => `${r.method} ${r.path}`)).toEqual(['POST /crm/v3/objects/contacts/batch/upsert']);
    expect(fake.properties.has('gender')).toBe(false);
  });

  it('fails the push when the token may not create properties', async () => {
    fake.forceNext({ status: 403 });
    const error = await connectorFailure(connect().destination!.push([record({ email: 'ann@example.com', referral_hub_code: 'A' })]));
    expect(error).toMatchObject({ kind: 'auth', status: 403 });
    expect(fake.requests.map((r) => `${r.method} ${r.path}`)).toEqual(['GET /crm/v3/properties/contacts']);
    expect(fake.contacts.size).toBe(0);
  });

  it('fails records it cannot map without sending them', async () => {
    const good = record({ email: 'ann@example.com' });
    const noEmail = record({ firstname: 'Nobody' });
    const badName = record({ email: 'bob@example.com', 'Referral Code': 'X' });
    const badValue = record({ email: 'cy@example.com', address: { street: 'x' } });
    const results = await connect().destination!.push([good, noEmail, badName, badValue]);
    expect(results).toEqual([
      { key: good.key, ok: true, status: 200 },
      { key: noEmail.key, ok: false, error: { kind: 'invalid', message: 'record has no valid "email" field' } },
      {
        key: badName.key,
        ok: false,
        error: {
          kind: 'invalid',
          message: '"Referral Code" is not a HubSpot property name (lower-case letters, digits and _, starting with a letter)',
        },
      },
      {
        key: badValue.key,
        ok: false,
        error: { kind: 'invalid', message: '"address" must be text, a number, a boolean or a list of texts' },
      },
    ]);
    expect(bodyOf(fake.requests[0]).inputs.map((i) => i.id)).toEqual(['ann@example.com']);
  });

  it('check() lists one contact with the token', async () => {
    await expect(connect().check()).resolves.toBeUndefined();
    expect(fake.requests.map((r) => `${r.method} ${r.path} ${r.headers.authorization}`)).toEqual([
      `GET /crm/v3/objects/contacts?limit=1 Bearer ${TOKEN}`,
    ]);
  });

  it('classifies a wrong token as auth, without the token in the message', async () => {
    const wrong = 'pat-na1-99999999-9999-9999-9999-999999999999';
    const checkError = await connectorFailure(connect({}, wrong).check());
    expect(checkError).toMatchObject({ kind: 'auth', status: 401 });
    expect(checkError.message).toContain('INVALID_AUTHENTICATION');
    const pushError = await connectorFailure(connect({}, wrong).destination!.push([record({ email: 'ann@example.com' })]));
    expect(pushError).toMatchObject({ kind: 'auth', status: 401 });
    expect(fake.contacts.size).toBe(0);
  });

  it('classifies a forced 401 and 403 (missing scopes) as auth', async () => {
    fake.forceNext({ status: 401 }, { status: 403 });
    expect(await connectorFailure(connect().check())).toMatchObject({ kind: 'auth', status: 401 });
    expect(await connectorFailure(connect().destination!.push([record({ email: 'ann@example.com' })]))).toMatchObject({
      kind: 'auth',
      status: 403,
    });
  });

  it.each([
    [{ retryAfter: '3' }, 3_000],
    [{}, 10_000],
    [{ policyName: 'DAILY' as const }, 3_600_000],
  ])('honours a 429 %j with retryAfterMs %i', async (extra, retryAfterMs) => {
    fake.forceNext({ status: 429, ...extra });
    const error = await connectorFailure(connect().destination!.push([record({ email: 'ann@example.com' })]));
    expect(error).toMatchObject({ kind: 'rate_limited', status: 429, retryAfterMs });
    expect(error.message).toContain('RATE_LIMIT');
    expect(fake.contacts.size).toBe(0);
  });

  it('hits the configured rolling limit and backs off for the ten-second window', async () => {
    fake.setRateLimit({ max: 2, windowMs: 60_000 });
    const connector = connect();
    await connector.check();
    await connector.destination!.push([record({ email: 'ann@example.com' })]);
    const error = await connectorFailure(connector.destination!.push([record({ email: 'bob@example.com' })]));
    expect(error).toMatchObject({ kind: 'rate_limited', status: 429, retryAfterMs: 10_000 });
    expect(error.message).toContain('TEN_SECONDLY_ROLLING');
    expect([...fake.contacts.keys()]).toEqual(['ann@example.com']);
  });

  it.each([500, 502, 503] as const)('classifies HTTP %i as transient', async (status) => {
    fake.forceNext({ status });
    const error = await connectorFailure(connect().destination!.push([record({ email: 'ann@example.com' })]));
    expect(error).toMatchObject({ kind: 'transient', status });
  });

  it('consults the SSRF guard with the production base URL by default', async () => {
    const runtime = loopbackRuntime();
    const connector = hubspotConnector.create({ settings: {}, secrets: { accessToken: TOKEN } }, runtime);
    expect((await connectorFailure(connector.destination!.push([record({ email: 'ann@example.com' })]))).kind).toBe('invalid');
    expect((await connectorFailure(connector.check())).kind).toBe('invalid');
    expect(runtime.checkedTargets).toEqual(['https://api.hubapi.com', 'https://api.hubapi.com']);
    expect(fake.requests).toHaveLength(0);
  });
});

describe('hubspotConnector against a scripted server', () => {
  let receiver: LocalReceiver;
  beforeAll(async () => {
    receiver = await startLocalReceiver();
  });
  afterAll(() => receiver.close());

  const connect = () =>
    hubspotConnector.create({ settings: { baseUrl: receiver.url }, secrets: { accessToken: TOKEN } }, loopbackRuntime());
  const json = (status: number, body: unknown) => ({ status, headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });

  it('keeps the token out of error messages even when the server echoes it', async () => {
    receiver.reply = (request) =>
      json(401, { status: 'error', message: `bad token ${request.headers.authorization}`, category: 'INVALID_AUTHENTICATION' });
    const error = await connectorFailure(connect().check());
    expect(error.kind).toBe('auth');
    expect(error.message).toContain('[redacted]');
    expect(error.message).not.toContain(TOKEN);
  });

  it('fails only inputs the results do not confirm when an error names no input', async () => {
    receiver.reply = () =>
      json(207, {
        status: 'COMPLETE',
        results: [{ id: '1', objectWriteTraceId: '0', properties: {}, new: true }],
        errors: [{ status: 'error', category: 'VALIDATION_ERROR', message: 'Property "code" does not exist' }],
        numErrors: 1,
      });
    const ann = record({ email: 'ann@example.com' });
    const bob = record({ email: 'bob@example.com', code: 'X' });
    expect(await connect().destination!.push([ann, bob])).toEqual([
      { key: ann.key, ok: true, status: 207 },
      {
        key: bob.key,
        ok: false,
        error: { kind: 'invalid', message: 'HubSpot refused the contact: VALIDATION_ERROR: Property "code" does not exist' },
      },
    ]);
  });

  it('connects through the runtime guarded lookup (DNS rebinding is refused at connect time)', async () => {
    receiver.requests.length = 0;
    const runtime: ConnectorRuntime = {
      assertTargetAllowed: createSsrfGuard({ allowPrivate: false, lookup: async () => ['93.184.216.34'] }).assertTargetAllowed,
      timeoutMs: 5_000,
      lookup: createGuardedLookup({ allowPrivate: false, lookup: async () => ['127.0.0.1'] }),
    };
    const baseUrl = `http://rebind.example:${new URL(receiver.url).port}`;
    const connector = hubspotConnector.create({ settings: { baseUrl }, secrets: { accessToken: TOKEN } }, runtime);
    const error = await connectorFailure(connector.destination!.push([record({ email: 'ann@example.com' })]));
    expect(error.kind).toBe('invalid');
    expect(error.message).toContain('target rebind.example resolves to 127.0.0.1');
    expect(receiver.requests).toHaveLength(0);
  });

  it('refuses a whole batch HubSpot rejects as invalid (400)', async () => {
    receiver.reply = () => json(400, { status: 'error', message: 'Invalid input JSON', category: 'VALIDATION_ERROR' });
    expect(await connectorFailure(connect().destination!.push([record({ email: 'ann@example.com' })]))).toMatchObject({
      kind: 'invalid',
      status: 400,
    });
  });

  it('treats an unreadable 2xx body as transient (a retry upserts the same values)', async () => {
    receiver.reply = () => json(200, { results: 'not a list' });
    expect(await connectorFailure(connect().destination!.push([record({ email: 'ann@example.com' })]))).toMatchObject({
      kind: 'transient',
      status: 200,
    });
  });
});

describe('hubspot config schemas', () => {
  it('accepts the documented settings and secret', () => {
    expect(hubspotSettingsSchema.parse({})).toEqual({});
    expect(hubspotSettingsSchema.parse({ propertyPrefix: 'referral_' })).toEqual({ propertyPrefix: 'referral_' });
    expect(hubspotSecretsSchema.parse({ accessToken: TOKEN })).toEqual({ accessToken: TOKEN });
  });

  it.each([{ propertyPrefix: 'Referral' }, { propertyPrefix: '1x' }, { baseUrl: 'api.hubapi.com' }])('refuses %j', (settings) => {
    expect(hubspotSettingsSchema.safeParse(settings).success).toBe(false);
  });

  it('refuses an empty token', () => {
    expect(hubspotSecretsSchema.safeParse({ accessToken: ' ' }).success).toBe(false);
  });
});
