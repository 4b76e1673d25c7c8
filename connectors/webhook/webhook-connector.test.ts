import crypto from 'node:crypto';
import { Webhook } from 'standardwebhooks';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { ConnectorError, type ConnectorDefinition, type ConnectorRuntime, type OutboundRecord } from '../connector.js';
import { startLocalReceiver, type LocalReceiver, type ReceivedRequest } from '../../test/support/start-local-receiver.js';
import { createGuardedLookup } from '../security/guarded-lookup.js';
import { createSsrfGuard } from '../security/ssrf-guard.js';
import { webhookConnector, webhookSecretsSchema, webhookSettingsSchema } from './webhook-connector.js';

const noDns = async (): Promise<string[]> => {
  throw new Error('no DNS in tests');
};
const allowPrivate: ConnectorRuntime = {
  assertTargetAllowed: createSsrfGuard({ allowPrivate: true, lookup: noDns }).assertTargetAllowed,
  timeoutMs: 5_000,
};
const refusePrivate: ConnectorRuntime = {
  assertTargetAllowed: createSsrfGuard({ allowPrivate: false, lookup: noDns }).assertTargetAllowed,
  timeoutMs: 5_000,
};

const newSecret = () => `whsec_${crypto.randomBytes(32).toString('base64')}`;

function eventRecord(
  id = 'evt_01J9ZK5',
  data: Record<string, unknown> = { id: 'ref_1', email: 'bob@example.com', status: 'pending' },
): OutboundRecord {
  return { key: id, event: { id, type: 'referral.created', timestamp: '2025-01-02T03:04:05.000Z' }, data };
}

async function thrown(promise: Promise<unknown>): Promise<ConnectorError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(ConnectorError);
  return error as ConnectorError;
}

describe('webhookConnector', () => {
  let receiver: LocalReceiver;
  beforeAll(async () => {
    receiver = await startLocalReceiver();
  });
  afterAll(() => receiver.close());
  beforeEach(() => {
    receiver.requests.length = 0;
    receiver.reply = () => ({ status: 204 });
  });

  function connect(
    secrets: { signingSecret: string; previousSigningSecret?: string; headers?: Record<string, string> },
    settings: { headers?: Record<string, string>; timeoutMs?: number } = {},
    runtime = allowPrivate,
  ) {
    return webhookConnector.create(
      {
        settings: webhookSettingsSchema.parse({ url: `${receiver.url}/hooks/referrals`, ...settings }),
        secrets: webhookSecretsSchema.parse(secrets),
      },
      runtime,
    );
  }

  const only = (requests: ReceivedRequest[]): ReceivedRequest => {
    expect(requests).toHaveLength(1);
    return requests[0] as ReceivedRequest;
  };

  it('is a ConnectorDefinition with one envelope per request', () => {
    const definition: ConnectorDefinition = webhookConnector;
    expect(definition.kind).toBe('webhook');
    expect(connect({ signingSecret: newSecret() }).destination?.batchSize).toBe(1);
  });

  it('POSTs a signed event envelope the standardwebhooks library verifies', async () => {
    const secret = newSecret();
    const record = eventRecord();
    const results = await connect({ signingSecret: secret }).destination?.push([record]);
    expect(results).toEqual([{ key: record.key, ok: true, status: 204 }]);

    const request = only(receiver.requests);
    expect(request.method).toBe('POST');
    expect(request.path).toBe('/hooks/referrals');
    expect(request.headers['content-type']).toBe('application/json');
    expect(request.headers['user-agent']).toBe('referral-hub/0.1');
    expect(request.headers['webhook-id']).toBe(record.event.id);
    expect(Math.abs(Number(request.headers['webhook-timestamp']) - Date.now() / 1000)).toBeLessThan(5);
    expect(request.headers['webhook-signature']).toMatch(/^v1,[A-Za-z0-9+/]+=*$/);

    const payload = new Webhook(secret).verify(request.body, request.headers);
    expect(payload).toEqual({ id: record.event.id, type: 'referral.created', timestamp: '2025-01-02T03:04:05.000Z', data: record.data });
    expect(() => new Webhook(newSecret()).verify(request.body, request.headers)).toThrow('No matching signature found');
    expect(() => new Webhook(secret).verify(request.body.replace('bob@', 'eve@'), request.headers)).toThrow();
  });

  it('signs with both secrets during rotation so either one verifies', async () => {
    const current = newSecret();
    const previous = newSecret();
    await connect({ signingSecret: current, previousSigningSecret: previous }).destination?.push([eventRecord()]);
    const request = only(receiver.requests);
    expect(request.headers['webhook-signature']?.split(' ')).toHaveLength(2);
    expect(new Webhook(previous).verify(request.body, request.headers)).toMatchObject({ id: 'evt_01J9ZK5' });
    expect(new Webhook(current).verify(request.body, request.headers)).toMatchObject({ id: 'evt_01J9ZK5' });
    expect(() => new Webhook(newSecret()).verify(request.body, request.headers)).toThrow();
  });

  it('keeps webhook-id stable when the same event is sent again', async () => {
    const destination = connect({ signingSecret: newSecret() }).destination;
    await destination?.push([eventRecord('evt_same')]);
    await destination?.push([eventRecord('evt_same')]);
    await destination?.push([eventRecord('evt_other')]);
    expect(receiver.requests.map((r) => r.headers['webhook-id'])).toEqual(['evt_same', 'evt_same', 'evt_other']);
    expect(receiver.requests[0]?.body).toBe(receiver.requests[1]?.body);
  });

  it('sends custom headers from settings and secrets', async () => {
    await connect(
      { signingSecret: newSecret(), headers: { Authorization: 'Bearer crm-token-123' } },
      { headers: { 'X-Tenant': 'acme' } },
    ).destination?.push([eventRecord()]);
    const request = only(receiver.requests);
    expect(request.headers['x-tenant']).toBe('acme');
    expect(request.headers.authorization).toBe('Bearer crm-token-123');
  });

  it('surfaces 429 with Retry-After as rate_limited with retryAfterMs', async () => {
    receiver.reply = () => ({ status: 429, headers: { 'Retry-After': '3' } });
    const error = await thrown(connect({ signingSecret: newSecret() }).destination!.push([eventRecord()]));
    expect(error).toMatchObject({ kind: 'rate_limited', status: 429, retryAfterMs: 3000 });
  });

  it('surfaces 429 without Retry-After as rate_limited without a delay', async () => {
    receiver.reply = () => ({ status: 429 });
    const error = await thrown(connect({ signingSecret: newSecret() }).destination!.push([eventRecord()]));
    expect(error.kind).toBe('rate_limited');
    expect(error.retryAfterMs).toBeUndefined();
  });

  it.each([
    [500, 'transient'],
    [410, 'permanent'],
    [401, 'auth'],
    [404, 'invalid'],
  ])('throws on HTTP %i as %s', async (status, kind) => {
    receiver.reply = () => ({ status });
    const error = await thrown(connect({ signingSecret: newSecret() }).destination!.push([eventRecord()]));
    expect(error.kind).toBe(kind);
    expect(error.status).toBe(status);
  });

  it('reports a payload the receiver rejects (422) on the record, not the batch', async () => {
    receiver.reply = () => ({ status: 422, body: 'email is required' });
    const results = await connect({ signingSecret: newSecret() }).destination?.push([eventRecord('evt_bad')]);
    expect(results).toEqual([
      {
        key: 'evt_bad',
        ok: false,
        error: {
          kind: 'invalid',
          status: 422,
          message: expect.stringContaining('email is required') as string,
          response: 'email is required',
        },
      },
    ]);
  });

  it('times out with the configured timeout as transient', async () => {
    receiver.reply = () => ({ status: 200, delayMs: 1_000 });
    const error = await thrown(connect({ signingSecret: newSecret() }, { timeoutMs: 100 }).destination!.push([eventRecord()]));
    expect(error.kind).toBe('transient');
  });

  it('keeps secrets out of error messages even when the receiver echoes them', async () => {
    const secret = newSecret();
    receiver.reply = (request) => ({ status: 401, body: `rejected ${request.headers.authorization} and ${secret}` });
    const error = await thrown(
      connect({ signingSecret: secret, headers: { Authorization: 'Bearer crm-token-123' } }).destination!.push([eventRecord()]),
    );
    expect(error.kind).toBe('auth');
    expect(error.message).toContain('[redacted]');
    expect(error.message).not.toContain('crm-token-123');
    expect(error.message).not.toContain(secret.slice('whsec_'.length));
  });

  it('refuses a private target before sending anything unless private targets are allowed', async () => {
    const connector = connect({ signingSecret: newSecret() }, {}, refusePrivate);
    const error = await thrown(connector.destination!.push([eventRecord()]));
    expect(error.kind).toBe('invalid');
    expect(error.message).toContain('is a loopback address (set HUB_ALLOW_PRIVATE_TARGETS=true to allow)');
    expect((await thrown(connector.check())).kind).toBe('invalid');
    expect(receiver.requests).toHaveLength(0);
  });

  it('check() validates the target without sending an event', async () => {
    await expect(connect({ signingSecret: newSecret() }).check()).resolves.toBeUndefined();
    expect(receiver.requests).toHaveLength(0);
  });

  it('re-checks addresses at connect time when the runtime offers a guarded lookup', async () => {
    // The URL check sees a public address; the connection would land on loopback (DNS rebinding).
    const runtime = {
      assertTargetAllowed: createSsrfGuard({ allowPrivate: false, lookup: async () => ['93.184.216.34'] }).assertTargetAllowed,
      timeoutMs: 5_000,
      lookup: createGuardedLookup({ allowPrivate: false, lookup: async () => ['127.0.0.1'] }),
    };
    const port = new URL(receiver.url).port;
    const connector = webhookConnector.create(
      { settings: { url: `http://rebind.example:${port}/hooks` }, secrets: { signingSecret: newSecret() } },
      runtime,
    );
    const error = await thrown(connector.destination!.push([eventRecord()]));
    expect(error.kind).toBe('invalid');
    expect(error.message).toContain('target rebind.example resolves to 127.0.0.1');
    expect(receiver.requests).toHaveLength(0);
  });

  describe('config schemas', () => {
    it('accepts the documented connector example', () => {
      expect(webhookSettingsSchema.parse({ url: 'https://crm.example/hooks/referrals' })).toEqual({
        url: 'https://crm.example/hooks/referrals',
      });
      const secret = newSecret();
      expect(webhookSecretsSchema.parse({ signingSecret: secret })).toEqual({ signingSecret: secret });
    });

    it.each(['ftp://crm.example/x', 'crm.example/hooks', 'javascript:alert(1)'])('refuses the url %s', (url) => {
      expect(webhookSettingsSchema.safeParse({ url }).success).toBe(false);
    });

    it.each(['webhook-signature', 'Webhook-Id', 'content-type', 'Authorization', 'Cookie'])('refuses the settings header %s', (name) => {
      const result = webhookSettingsSchema.safeParse({ url: 'https://crm.example/', headers: { [name]: 'x' } });
      expect(result.success).toBe(false);
      expect(result.error?.issues[0]?.path).toEqual(['headers', name]);
    });

    it('accepts Authorization only among the secret headers, and never a signing header', () => {
      const signingSecret = newSecret();
      expect(webhookSecretsSchema.safeParse({ signingSecret, headers: { Authorization: 'Bearer t' } }).success).toBe(true);
      expect(webhookSecretsSchema.safeParse({ signingSecret, headers: { 'webhook-signature': 'v1,forged' } }).success).toBe(false);
      expect(webhookSettingsSchema.safeParse({ url: 'https://crm.example/', headers: { 'X-Evil': 'a\r\nInjected: 1' } }).success).toBe(
        false,
      );
    });

    it('refuses malformed signing secrets without echoing them', () => {
      for (const signingSecret of ['whsec_c2hvcnQ=', 'plain-password-value', `whsec_${crypto.randomBytes(80).toString('base64')}`]) {
        const result = webhookSecretsSchema.safeParse({ signingSecret });
        expect(result.success).toBe(false);
        expect(JSON.stringify(result.error?.issues)).not.toContain(signingSecret);
      }
    });
  });
});
