import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startSalesforceFake, type SalesforceFake } from '../../test/support/salesforce-fake.js';
import { connectorFailure } from '../../test/support/connector-failure.js';
import { loopbackRuntime, type LoopbackRuntime } from '../../test/support/loopback-runtime.js';
import type { ConnectorDefinition, OutboundRecord } from '../connector.js';
import { startLocalReceiver } from '../../test/support/start-local-receiver.js';
import { salesforceConnector, salesforceSecretsSchema, salesforceSettingsSchema } from './salesforce-connector.js';

const CLIENT_ID = '3MVG9fakeConsumerKey.referralhub.test';
const CLIENT_SECRET = 'E3A1C9B7D5F24680ACE13579BDF02468';
const UPSERT_PATH = '/services/data/v62.0/composite/sobjects/Lead/Referral_Id__c';

let sequence = 0;
function lead(referralId: string, fields: Record<string, unknown> = {}): OutboundRecord {
  return {
    key: referralId,
    event: { id: `evt_${++sequence}`, type: 'referral.created', timestamp: '2025-06-01T12:00:00.000Z' },
    data: {
      Referral_Id__c: referralId,
      FirstName: 'Bob',
      LastName: 'Stone',
      Company: 'Acme Corp',
      Email: `${referralId}@example.com`,
      LeadSource: 'Referral',
      ...fields,
    },
  };
}

describe('salesforceConnector', () => {
  let fake: SalesforceFake;
  let runtime: LoopbackRuntime;

  beforeAll(async () => {
    fake = await startSalesforceFake({ clientId: CLIENT_ID, clientSecret: CLIENT_SECRET });
  });
  afterAll(() => fake.close());
  beforeEach(() => {
    runtime = loopbackRuntime();
  });
  afterEach(() => {
    fake.tokenRequests = 0;
    fake.apiRequests.length = 0;
    fake.records.Lead.clear();
    fake.records.Contact.clear();
    fake.issueDeadTokens = false;
    fake.instanceUrl = fake.url;
  });

  function connect(settings: Record<string, unknown> = {}, secrets: Record<string, unknown> = {}) {
    return salesforceConnector.create(
      {
        settings: salesforceSettingsSchema.parse({ loginUrl: fake.url, object: 'Lead', externalIdField: 'Referral_Id__c', ...settings }),
        secrets: salesforceSecretsSchema.parse({ clientId: CLIENT_ID, clientSecret: CLIENT_SECRET, ...secrets }),
      },
      runtime,
    );
  }
  const push = (connector: ReturnType<typeof connect>, records: OutboundRecord[]) => connector.destination!.push(records);

  it('is a ConnectorDefinition with the sObject Collections batch size', () => {
    const definition: ConnectorDefinition = salesforceConnector;
    expect(definition.kind).toBe('salesforce');
    expect(connect().destination?.batchSize).toBe(200);
  });

  it('upserts one record through the sObject external-id resource, without the external id in the body', async () => {
    const results = await push(connect(), [lead('ref_001')]);
    expect(results).toEqual([{ key: 'ref_001', ok: true, status: 201 }]);
    expect(fake.apiRequests).toHaveLength(1);
    const request = fake.apiRequests[0]!;
    expect(request).toMatchObject({ method: 'PATCH', path: '/services/data/v62.0/sobjects/Lead/Referral_Id__c/ref_001' });
    expect(request.body).toEqual({
      FirstName: 'Bob',
      LastName: 'Stone',
      Company: 'Acme Corp',
      Email: 'ref_001@example.com',
      LeadSource: 'Referral',
    });
    expect(fake.records.Lead.get('ref_001')).toMatchObject({
      Referral_Id__c: 'ref_001',
      LastName: 'Stone',
      Id: expect.stringMatching(/^00Q/) as string,
    });
    // The login URL and the instance_url from the token were both put to the SSRF guard.
    expect(runtime.checkedTargets).toEqual([
      `${fake.url}/services/oauth2/token`,
      `${fake.url}/services/data/v62.0/sobjects/Lead/Referral_Id__c/ref_001`,
    ]);
  });

  it('upserts a batch through sObject Collections with allOrNone false', async () => {
    const records = [lead('ref_a'), lead('ref_b'), lead('ref_c')];
    const results = await push(connect(), records);
    expect(results).toEqual(records.map((r) => ({ key: r.key, ok: true, status: 200 })));
    expect(fake.apiRequests.map((r) => `${r.method} ${r.path}`)).toEqual([`PATCH ${UPSERT_PATH}`]);
    const body = fake.apiRequests[0]!.body as { allOrNone: boolean; records: Array<Record<string, unknown>> };
    expect(body.allOrNone).toBe(false);
    expect(body.records[1]).toEqual({ attributes: { type: 'Lead' }, ...records[1]!.data });
    expect([...fake.records.Lead.keys()]).toEqual(['ref_a', 'ref_b', 'ref_c']);
  });

  it('asks for one token and reuses it across pushes and checks', async () => {
    const connector = connect();
    await Promise.all([push(connector, [lead('ref_1')]), push(connector, [lead('ref_2'), lead('ref_3')])]);
    await push(connector, [lead('ref_4')]);
    await connector.check();
    expect(fake.tokenRequests).toBe(1);
    expect(fake.apiRequests).toHaveLength(4);
    expect(new Set(fake.apiRequests.map((r) => r.authorization)).size).toBe(1);
    expect(fake.apiRequests[0]!.authorization).toMatch(/^Bearer 00D/);
  });

  it('gets a new token once on INVALID_SESSION_ID and sends the call again', async () => {
    const connector = connect();
    await push(connector, [lead('ref_1')]);
    fake.expireTokens();
    fake.apiRequests.length = 0;

    const results = await push(connector, [lead('ref_2'), lead('ref_3')]);
    expect(results.every((r) => r.ok)).toBe(true);
    expect(fake.tokenRequests).toBe(2);
    expect(fake.apiRequests.map((r) => r.path)).toEqual([UPSERT_PATH, UPSERT_PATH]);
    expect(fake.apiRequests[0]!.authorization).not.toBe(fake.apiRequests[1]!.authorization);
    expect(fake.records.Lead.size).toBe(3);
  });

  it('retries exactly once: a session refused again is an auth failure', async () => {
    fake.issueDeadTokens = true;
    const error = await connectorFailure(push(connect(), [lead('ref_1')]));
    expect(error).toMatchObject({ kind: 'auth', status: 401 });
    expect(error.message).toContain('INVALID_SESSION_ID');
    expect(fake.tokenRequests).toBe(2);
    expect(fake.apiRequests).toHaveLength(2);
  });

  it.each([
    ['client secret', { clientSecret: 'WRONG-secret-0000000000000000' }, 'invalid_client'],
    ['client id', { clientId: '3MVG9unknownKey' }, 'invalid_client_id'],
  ])('reports a bad %s as auth without leaking it', async (_what, secrets, code) => {
    const connector = connect({}, secrets);
    const pushError = await connectorFailure(push(connector, [lead('ref_1')]));
    expect(pushError).toMatchObject({ kind: 'auth', status: 400 });
    expect(pushError.message).toContain(code);
    for (const value of Object.values(secrets)) expect(pushError.message).not.toContain(value);
    expect((await connectorFailure(connector.check())).kind).toBe('auth');
    expect(fake.apiRequests).toHaveLength(0);
  });

  it('fails only the record Salesforce rejects with REQUIRED_FIELD_MISSING', async () => {
    const records = [lead('ref_ok1'), lead('ref_nocompany', { Company: undefined }), lead('ref_ok2')];
    const results = await push(connect(), records);
    expect(results[0]).toEqual({ key: 'ref_ok1', ok: true, status: 200 });
    expect(results[2]).toEqual({ key: 'ref_ok2', ok: true, status: 200 });
    expect(results[1]).toMatchObject({ key: 'ref_nocompany', ok: false, error: { kind: 'invalid' } });
    expect(results[1]!.ok === false && results[1]!.error.message).toContain(
      'REQUIRED_FIELD_MISSING: Required fields are missing: [Company]',
    );
    expect([...fake.records.Lead.keys()]).toEqual(['ref_ok1', 'ref_ok2']);
  });

  it('fails a record with a malformed email as invalid, in a batch and alone', async () => {
    const batch = await push(connect(), [lead('ref_x', { Email: 'not-an-email' }), lead('ref_y')]);
    expect(batch.map((r) => r.ok)).toEqual([false, true]);
    expect(batch[0]!.ok === false && batch[0]!.error).toMatchObject({
      kind: 'invalid',
      message: expect.stringContaining('INVALID_EMAIL_ADDRESS') as string,
    });

    const single = await push(connect(), [lead('ref_z', { Email: 'still not one' })]);
    expect(single[0]).toMatchObject({ key: 'ref_z', ok: false, error: { kind: 'invalid', status: 400 } });
    expect(fake.records.Lead.has('ref_z')).toBe(false);
  });

  it('fails records without an external id value before sending them', async () => {
    const results = await push(connect(), [
      lead('ref_1', { Referral_Id__c: undefined }),
      lead('ref_2'),
      lead('ref_3', { Referral_Id__c: '  ' }),
    ]);
    expect(results.map((r) => r.ok)).toEqual([false, true, false]);
    expect(results[0]!.ok === false && results[0]!.error).toMatchObject({
      kind: 'invalid',
      message: expect.stringContaining('Referral_Id__c') as string,
    });
    // One valid record left: it goes through the single-record resource.
    expect(fake.apiRequests.map((r) => r.path)).toEqual(['/services/data/v62.0/sobjects/Lead/Referral_Id__c/ref_2']);
  });

  it('is idempotent: pushing the same records again updates them in place', async () => {
    const connector = connect();
    const records = [lead('ref_1'), lead('ref_2')];
    await push(connector, records);
    const ids = [...fake.records.Lead.values()].map((r) => r.Id);

    const again = await push(connector, [lead('ref_1', { LastName: 'Stone-Ray' }), lead('ref_2')]);
    expect(again.every((r) => r.ok)).toBe(true);
    expect([...fake.records.Lead.values()].map((r) => r.Id)).toEqual(ids);
    expect(fake.records.Lead.get('ref_1')?.LastName).toBe('Stone-Ray');

    const single = await push(connector, [lead('ref_2', { Title: 'CTO' })]);
    expect(single).toEqual([{ key: 'ref_2', ok: true, status: 200 }]);
    expect(fake.records.Lead.size).toBe(2);
  });

  it('merges records for the same external id into one upsert (a collection must not repeat it)', async () => {
    const results = await push(connect(), [
      lead('ref_1', { Status: 'Open' }),
      lead('ref_2'),
      { ...lead('ref_1', { Status: 'Qualified' }), key: 'ref_1#2' },
    ]);
    expect(results).toEqual([
      { key: 'ref_1', ok: true, status: 200 },
      { key: 'ref_2', ok: true, status: 200 },
      { key: 'ref_1#2', ok: true, status: 200 },
    ]);
    expect((fake.apiRequests[0]!.body as { records: unknown[] }).records).toHaveLength(2);
    expect(fake.records.Lead.get('ref_1')?.Status).toBe('Qualified');
  });

  it('splits more than 200 records into requests of at most 200', async () => {
    const records = Array.from({ length: 450 }, (_, i) => lead(`ref_${String(i).padStart(3, '0')}`));
    const results = await push(connect(), records);
    expect(results.filter((r) => r.ok)).toHaveLength(450);
    expect(fake.apiRequests.map((r) => (r.body as { records: unknown[] }).records.length)).toEqual([200, 200, 50]);
    expect(fake.records.Lead.size).toBe(450);
  });

  it.each([500, 503] as const)('throws HTTP %i as transient, for one record and for a batch', async (status) => {
    const connector = connect();
    fake.failNext({ status }, 2);
    expect(await connectorFailure(push(connector, [lead('ref_1')]))).toMatchObject({ kind: 'transient', status });
    expect(await connectorFailure(push(connector, [lead('ref_2'), lead('ref_3')]))).toMatchObject({ kind: 'transient', status });
    expect(fake.records.Lead.size).toBe(0);
    expect(await push(connector, [lead('ref_2'), lead('ref_3')])).toHaveLength(2);
  });

  it('throws 403 REQUEST_LIMIT_EXCEEDED as rate_limited', async () => {
    fake.failNext('request_limit');
    const error = await connectorFailure(push(connect(), [lead('ref_1'), lead('ref_2')]));
    expect(error).toMatchObject({ kind: 'rate_limited', status: 403 });
    expect(error.message).toContain('REQUEST_LIMIT_EXCEEDED');
  });

  it('upserts Contacts, which need only LastName', async () => {
    const connector = connect({ object: 'Contact' });
    const contact = (id: string, fields: Record<string, unknown>) => ({
      ...lead(id),
      data: { Referral_Id__c: id, Email: `${id}@example.com`, ...fields },
    });
    const results = await push(connector, [contact('ref_c1', { LastName: 'Lee' }), contact('ref_c2', { FirstName: 'Ann' })]);
    expect(results.map((r) => r.ok)).toEqual([true, false]);
    expect(results[1]!.ok === false && results[1]!.error.message).toContain('[LastName]');
    expect(fake.apiRequests[0]!.path).toBe('/services/data/v62.0/composite/sobjects/Contact/Referral_Id__c');
    expect(fake.records.Contact.get('ref_c1')?.Id).toMatch(/^003/);
  });

  it('reports an external id field the org does not have as a configuration error', async () => {
    const error = await connectorFailure(
      push(connect({ externalIdField: 'Missing_Field__c' }), [lead('ref_1', { Missing_Field__c: 'x' })]),
    );
    expect(error).toMatchObject({ kind: 'invalid', status: 404 });
  });

  it('refuses an instance_url the SSRF guard does not allow, before calling it', async () => {
    fake.instanceUrl = 'https://acme.my.salesforce.example';
    const error = await connectorFailure(push(connect(), [lead('ref_1')]));
    expect(error.kind).toBe('invalid');
    expect(runtime.checkedTargets.at(-1)).toContain('https://acme.my.salesforce.example/services/data/');
    expect(fake.apiRequests).toHaveLength(0);
  });

  it('sends REST calls to settings.baseUrl when one is set', async () => {
    fake.instanceUrl = 'https://acme.my.salesforce.example';
    await push(connect({ baseUrl: `${fake.url}/` }), [lead('ref_1')]);
    expect(fake.apiRequests.map((r) => r.path)).toEqual(['/services/data/v62.0/sobjects/Lead/Referral_Id__c/ref_1']);
  });

  it('check() gets a token and reads the org limits', async () => {
    await expect(connect().check()).resolves.toBeUndefined();
    expect(fake.apiRequests.map((r) => `${r.method} ${r.path}`)).toEqual(['GET /services/data/v62.0/limits']);
  });

  it('keeps the access token and secrets out of errors even when the server echoes them', async () => {
    const echo = await startLocalReceiver();
    try {
      echo.reply = (request) =>
        request.path === '/services/oauth2/token'
          ? { status: 200, body: JSON.stringify({ access_token: '00Decho!tokenvalue-123456789', instance_url: echo.url }) }
          : { status: 500, body: `upstream saw ${request.headers.authorization} for ${CLIENT_SECRET}` };
      const connector = connect({ loginUrl: echo.url });
      const error = await connectorFailure(push(connector, [lead('ref_1')]));
      expect(error.kind).toBe('transient');
      expect(error.message).toContain('[redacted]');
      expect(error.message).not.toContain('tokenvalue-123456789');
      expect(error.message).not.toContain(CLIENT_SECRET);
      expect(echo.requests[0]!.body).toBe(
        `grant_type=client_credentials&client_id=${encodeURIComponent(CLIENT_ID)}&client_secret=${CLIENT_SECRET}`,
      );
      expect(echo.requests[0]!.headers['content-type']).toBe('application/x-www-form-urlencoded');
    } finally {
      await echo.close();
    }
  });

  describe('config schemas', () => {
    it('accepts the documented settings and secrets', () => {
      const settings = { loginUrl: 'https://acme.my.salesforce.com', object: 'Lead', externalIdField: 'Referral_Id__c' };
      expect(salesforceSettingsSchema.parse(settings)).toEqual(settings);
      expect(salesforceSecretsSchema.parse({ clientId: 'k', clientSecret: 's' })).toEqual({ clientId: 'k', clientSecret: 's' });
    });

    it.each([
      ['an object other than Lead or Contact', { object: 'Account' }],
      ['a field name with a path in it', { externalIdField: 'Referral_Id__c/../../x' }],
      ['a login URL that is not http(s)', { loginUrl: 'ftp://acme.my.salesforce.com' }],
    ])('refuses %s', (_label, override) => {
      const result = salesforceSettingsSchema.safeParse({
        loginUrl: 'https://acme.my.salesforce.com',
        object: 'Lead',
        externalIdField: 'Referral_Id__c',
        ...override,
      });
      expect(result.success).toBe(false);
    });
  });
});
