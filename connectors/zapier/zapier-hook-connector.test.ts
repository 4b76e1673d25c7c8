import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { ConnectorError, type ConnectorDefinition, type ConnectorRuntime, type OutboundRecord } from '../connector.js';
import { startLocalReceiver, type LocalReceiver } from '../../test/support/start-local-receiver.js';
import { createSsrfGuard } from '../security/ssrf-guard.js';
import { zapierHookConnector, zapierHookSettingsSchema } from './zapier-hook-connector.js';

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

const HOOK_PATH = '/hooks/standard/123456/0a1b2c3d4e5f/';

const record: OutboundRecord = {
  key: 'evt_zap1',
  event: { id: 'evt_zap1', type: 'reward.created', timestamp: '2025-02-03T04:05:06.000Z' },
  data: { id: 'rwd_1', amount: 20, currency: 'USD', status: 'approved' },
};

async function thrown(promise: Promise<unknown>): Promise<ConnectorError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(ConnectorError);
  return error as ConnectorError;
}

describe('zapierHookConnector', () => {
  let receiver: LocalReceiver;
  beforeAll(async () => {
    receiver = await startLocalReceiver();
  });
  afterAll(() => receiver.close());
  beforeEach(() => {
    receiver.requests.length = 0;
    receiver.reply = () => ({ status: 200, body: '{"status":"success"}' });
  });

  const connect = (runtime = allowPrivate) =>
    zapierHookConnector.create(
      { settings: zapierHookSettingsSchema.parse({ targetUrl: `${receiver.url}${HOOK_PATH}` }), secrets: {} },
      runtime,
    );

  it('is a ConnectorDefinition with one envelope per request', () => {
    const definition: ConnectorDefinition = zapierHookConnector;
    expect(definition.kind).toBe('zapier');
    expect(connect().destination?.batchSize).toBe(1);
  });

  it('POSTs the event envelope, unsigned, to the target URL', async () => {
    const results = await connect().destination?.push([record]);
    expect(results).toMatchObject([{ key: 'evt_zap1', ok: true, status: 200 }]);
    expect(receiver.requests).toHaveLength(1);
    const request = receiver.requests[0];
    expect(request?.path).toBe(HOOK_PATH);
    expect(request?.headers['content-type']).toBe('application/json');
    expect(request?.headers['webhook-id']).toBe('evt_zap1');
    expect(request?.headers['webhook-signature']).toBeUndefined();
    expect(JSON.parse(request?.body ?? '')).toEqual({
      id: 'evt_zap1',
      type: 'reward.created',
      timestamp: '2025-02-03T04:05:06.000Z',
      data: record.data,
    });
  });

  it('surfaces 410 Gone as gone with status 410 so the subscription is deleted', async () => {
    receiver.reply = () => ({ status: 410, body: 'Please unsubscribe me!' });
    const error = await thrown(connect().destination!.push([record]));
    expect(error).toMatchObject({ kind: 'gone', status: 410 });
    expect(error.retryable).toBe(false);
    expect(error.message).not.toContain('0a1b2c3d4e5f');
  });

  it('surfaces Zapier throttling (429 + Retry-After) as rate_limited', async () => {
    receiver.reply = () => ({ status: 429, headers: { 'Retry-After': '3' } });
    const error = await thrown(connect().destination!.push([record]));
    expect(error).toMatchObject({ kind: 'rate_limited', status: 429, retryAfterMs: 3000 });
  });

  it('treats a 5xx as transient', async () => {
    receiver.reply = () => ({ status: 503 });
    expect((await thrown(connect().destination!.push([record]))).kind).toBe('transient');
  });

  it('refuses a private target URL unless allowed, without sending', async () => {
    const connector = connect(refusePrivate);
    expect((await thrown(connector.check())).kind).toBe('invalid');
    expect((await thrown(connector.destination!.push([record]))).kind).toBe('invalid');
    expect(receiver.requests).toHaveLength(0);
    await expect(connect().check()).resolves.toBeUndefined();
  });
});
