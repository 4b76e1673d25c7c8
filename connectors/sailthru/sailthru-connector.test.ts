import crypto from 'node:crypto';
import axios from 'axios';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { connectorFailure } from '../../test/support/connector-failure.js';
import { loopbackRuntime, type LoopbackRuntime } from '../../test/support/loopback-runtime.js';
import { startSailthruFake, type SailthruFake } from '../../test/support/sailthru-fake.js';
import type { ConnectorDefinition, OutboundRecord } from '../connector.js';
import { sailthruConnector, sailthruSecretsSchema, sailthruSettingsSchema } from './sailthru-connector.js';
import { signSailthruParams } from './sign-sailthru-params.js';

const API_KEY = 'a7c3e9f1b5d24680a7c3e9f1b5d24680';
const API_SECRET = '5f0e1d2c3b4a69788796a5b4c3d2e1f0';
const md5 = (text: string) => crypto.createHash('md5').update(text, 'utf8').digest('hex');

let sequence = 0;
function record(type: string, data: Record<string, unknown>): OutboundRecord {
  const id = `evt_${++sequence}`;
  return { key: id, event: { id, type, timestamp: '2025-06-01T12:00:00.000Z' }, data };
}
const ann = (type = 'member.created', extra: Record<string, unknown> = {}) =>
  record(type, {
    email: 'ann@example.com',
    first_name: 'Ann',
    referral_code: 'ANN4K2',
    referral_url: 'https://hub.example/r/ANN4K2',
    ...extra,
  });

describe('sailthruConnector', () => {
  let fake: SailthruFake;
  let runtime: LoopbackRuntime;

  beforeAll(async () => {
    fake = await startSailthruFake({ apiKey: API_KEY, apiSecret: API_SECRET });
  });
  afterAll(() => fake.close());
  beforeEach(() => {
    runtime = loopbackRuntime();
  });
  afterEach(() => fake.reset());

  function connect(settings: Record<string, unknown> = {}, secrets: Record<string, unknown> = {}, baseUrl: string | null = fake.url) {
    return sailthruConnector.create(
      {
        settings: sailthruSettingsSchema.parse({ listName: 'Referral Advocates', ...(baseUrl ? { baseUrl } : {}), ...settings }),
        secrets: sailthruSecretsSchema.parse({ apiKey: API_KEY, apiSecret: API_SECRET, ...secrets }),
      },
      runtime,
    );
  }
  const push = (connector: ReturnType<typeof connect>, records: OutboundRecord[]) => connector.destination!.push(records);

  it('is a ConnectorDefinition sending one profile per request', () => {
    const definition: ConnectorDefinition = sailthruConnector;
    expect(definition.kind).toBe('sailthru');
    expect(connect().destination?.batchSize).toBe(1);
  });

  it('saves the profile by email with the mapped fields as vars and the list subscription', async () => {
    const item = ann();
    expect(await push(connect(), [item])).toEqual([{ key: item.key, ok: true, status: 200 }]);

    const profile = fake.users.get('ann@example.com');
    expect(profile?.vars).toEqual({ first_name: 'Ann', referral_code: 'ANN4K2', referral_url: 'https://hub.example/r/ANN4K2' });
    expect(Object.keys(profile?.lists ?? {})).toEqual(['Referral Advocates']);

    expect(fake.requests).toHaveLength(1);
    const request = fake.requests[0]!;
    expect(request).toMatchObject({ method: 'POST', path: '/user', status: 200 });
    expect(Object.keys(request.params).sort()).toEqual(['api_key', 'format', 'json', 'sig']);
    expect(request.params.format).toBe('json');
    expect(JSON.parse(request.params.json!)).toEqual({
      id: 'ann@example.com',
      key: 'email',
      vars: profile?.vars,
      lists: { 'Referral Advocates': 1 },
    });
  });

  it('signs md5(secret + sorted parameter values), the rule the fake verifies', async () => {
    await push(connect(), [ann()]);
    const { api_key, format, json, sig } = fake.requests[0]!.params;
    expect(sig).toBe(md5(API_SECRET + [api_key!, format!, json!].sort().join('')));
    // Written out by hand: "json" < "key" < "{…}" in string order.
    expect(signSailthruParams({ api_key: 'key', format: 'json', json: '{"id":"a@b.co"}' }, 'secret')).toBe(
      md5('secretjsonkey{"id":"a@b.co"}'),
    );
  });

  it('refuses a tampered request whose signature no longer matches (error 5)', async () => {
    await push(connect(), [ann()]);
    const { params } = fake.requests[0]!;
    const tampered = { ...params, json: params.json!.replace('ANN4K2', 'EVE666') };
    const response = await axios.post(`${fake.url}/user`, new URLSearchParams(tampered).toString(), {
      headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
      validateStatus: () => true,
    });
    expect(response.status).toBe(401);
    expect(response.data).toEqual({ error: 5, errormsg: 'Authentication failed' });
    expect(fake.users.get('ann@example.com')?.vars.referral_code).toBe('ANN4K2');
  });

  it('reports a wrong API secret as auth', async () => {
    const error = await connectorFailure(push(connect({}, { apiSecret: 'not-the-secret-0123456789' }), [ann()]));
    expect(error).toMatchObject({ kind: 'auth', status: 401 });
    expect(error.message).toContain('"error":5');
    expect(fake.users.size).toBe(0);
  });

  it('reports a wrong API key as auth without echoing the key', async () => {
    const wrongKey = 'ffffffffeeeeeeeeddddddddcccccccc';
    const error = await connectorFailure(push(connect({}, { apiKey: wrongKey }), [ann()]));
    expect(error).toMatchObject({ kind: 'auth', status: 401 });
    expect(error.message).toContain('"error":3');
    expect(error.message).not.toContain(wrongKey);
    expect(error.message).toContain('[redacted]');
  });

  it('posts an event only for the configured event types', async () => {
    const connector = connect({ eventNames: ['referral.created'] });
    await push(connector, [ann('referral.created', { referral_status: 'pending' })]);
    await push(connector, [ann('member.updated')]);
    expect(fake.events).toEqual([
      {
        id: 'ann@example.com',
        key: 'email',
        event: 'referral.created',
        vars: { first_name: 'Ann', referral_code: 'ANN4K2', referral_url: 'https://hub.example/r/ANN4K2', referral_status: 'pending' },
      },
    ]);
    expect(fake.requests.map((r) => `${r.method} ${r.path}`)).toEqual(['POST /user', 'POST /event', 'POST /user']);
  });

  it('posts no events when eventNames is not set', async () => {
    await push(connect(), [ann('referral.created')]);
    expect(fake.events).toHaveLength(0);
  });

  it('surfaces a used-up window (429, error 43) as rate_limited until X-Rate-Limit-Reset', async () => {
    fake.exhaust('POST', '/user', 42);
    const connector = connect();
    const error = await connectorFailure(push(connector, [ann()]));
    expect(error).toMatchObject({ kind: 'rate_limited', status: 429 });
    expect(error.retryAfterMs).toBeGreaterThan(40_000);
    expect(error.retryAfterMs).toBeLessThanOrEqual(42_000);

    // The window is remembered: the next push waits without calling Sailthru.
    const again = await connectorFailure(push(connector, [ann()]));
    expect(again.kind).toBe('rate_limited');
    expect(again.retryAfterMs).toBeGreaterThan(40_000);
    expect(fake.requests).toHaveLength(1);
  });

  it('stops before the call once X-Rate-Limit-Remaining reaches 0', async () => {
    const small = await startSailthruFake({ apiKey: API_KEY, apiSecret: API_SECRET, limit: 2 });
    try {
      const connector = connect({}, {}, small.url);
      expect((await push(connector, [ann()]))[0]?.ok).toBe(true);
      expect((await push(connector, [ann()]))[0]?.ok).toBe(true);
      const error = await connectorFailure(push(connector, [ann()]));
      expect(error.kind).toBe('rate_limited');
      expect(error.retryAfterMs).toBeGreaterThan(0);
      expect(error.retryAfterMs).toBeLessThanOrEqual(60_000);
      expect(small.requests).toHaveLength(2);
    } finally {
      await small.close();
    }
  });

  it('does not save the profile when the event endpoint has no requests left', async () => {
    const connector = connect({ eventNames: ['referral.created'] });
    fake.exhaust('POST', '/event', 30);
    await connectorFailure(push(connector, [ann('referral.created')]));
    expect(await connectorFailure(push(connector, [ann('referral.created')]))).toMatchObject({ kind: 'rate_limited' });
    // The first push learned the event window from the 429; the second sent nothing at all.
    expect(fake.requests.map((r) => `${r.path} ${r.status}`)).toEqual(['/user 200', '/event 429']);
    // A type without an event is not held back by the event window.
    expect((await push(connector, [ann('member.updated')]))[0]?.ok).toBe(true);
  });

  it('throws an internal error (HTTP 500, error 9) as transient', async () => {
    fake.failNext();
    const error = await connectorFailure(push(connect(), [ann()]));
    expect(error).toMatchObject({ kind: 'transient', status: 500 });
    expect(error.retryAfterMs).toBeUndefined();
  });

  it('fails the record, not the batch, for an address Sailthru refuses (error 11)', async () => {
    const bad = record('member.created', { email: 'not an email', first_name: 'X' });
    const [result] = await push(connect(), [bad]);
    expect(result).toMatchObject({ key: bad.key, ok: false, error: { kind: 'invalid', status: 400 } });
    expect(result?.ok === false && result.error.message).toContain('"error":11');
  });

  it('fails a record without an email before calling Sailthru', async () => {
    const [result] = await push(connect(), [record('member.created', { first_name: 'NoMail' })]);
    expect(result).toMatchObject({ ok: false, error: { kind: 'invalid' } });
    expect(fake.requests).toHaveLength(0);
  });

  it('check() signs a GET /user probe; an unknown profile still proves the credentials', async () => {
    await expect(connect().check()).resolves.toBeUndefined();
    expect(fake.requests).toEqual([expect.objectContaining({ method: 'GET', path: '/user', status: 404 })]);
    expect((await connectorFailure(connect({}, { apiSecret: 'wrong-secret-value' }).check())).kind).toBe('auth');
  });

  it('targets https://api.sailthru.com by default, through the SSRF guard', async () => {
    const error = await connectorFailure(push(connect({}, {}, null), [ann()]));
    expect(error.kind).toBe('invalid');
    expect(runtime.checkedTargets).toEqual(['https://api.sailthru.com/user']);
  });

  it('refuses settings without a list name', () => {
    expect(sailthruSettingsSchema.safeParse({ listName: ' ' }).success).toBe(false);
    expect(sailthruSettingsSchema.safeParse({ listName: 'L', eventNames: [''] }).success).toBe(false);
  });
});
