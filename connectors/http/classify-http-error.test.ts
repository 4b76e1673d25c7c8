import type { AxiosResponse } from 'axios';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConnectorError, type ConnectorErrorKind } from '../connector.js';
import { classifyHttpError } from './classify-http-error.js';
import { createHttpClient } from './create-http-client.js';
import { startLocalReceiver, type LocalReceiver, type ReceiverReply } from '../../test/support/start-local-receiver.js';

describe('classifyHttpError', () => {
  let receiver: LocalReceiver;
  beforeAll(async () => {
    receiver = await startLocalReceiver();
  });
  afterAll(() => receiver.close());

  /** A real round trip, so the classifier sees what axios really produces. */
  async function answer(reply: ReceiverReply, path = '/hooks/abc'): Promise<AxiosResponse> {
    receiver.reply = () => reply;
    return createHttpClient({ baseURL: receiver.url, timeoutMs: 5_000 }).post(path, { a: 1 });
  }

  it.each<[number, ConnectorErrorKind]>([
    [401, 'auth'],
    [403, 'auth'],
    [400, 'invalid'],
    [404, 'invalid'],
    [409, 'invalid'],
    [422, 'invalid'],
    [410, 'permanent'],
    [405, 'permanent'],
    [413, 'permanent'],
    [408, 'transient'],
    [500, 'transient'],
    [502, 'transient'],
    [503, 'transient'],
    [504, 'transient'],
    [302, 'invalid'],
  ])('classifies HTTP %i as %s', async (status, kind) => {
    const error = classifyHttpError(await answer({ status }));
    expect(error).toBeInstanceOf(ConnectorError);
    expect(error.kind).toBe(kind);
    expect(error.status).toBe(status);
    expect(error.message).toContain(`answered HTTP ${status}`);
  });

  it('reads Retry-After seconds on 429', async () => {
    const error = classifyHttpError(await answer({ status: 429, headers: { 'Retry-After': '3' } }));
    expect(error.kind).toBe('rate_limited');
    expect(error.retryAfterMs).toBe(3000);
    expect(error.retryable).toBe(true);
  });

  it('reads a Retry-After HTTP-date on 429', async () => {
    const now = Date.parse('2025-03-01T12:00:00Z');
    const response = await answer({ status: 429, headers: { 'Retry-After': 'Sat, 01 Mar 2025 12:01:00 GMT' } });
    expect(classifyHttpError(response, { now }).retryAfterMs).toBe(60_000);
  });

  it('leaves retryAfterMs undefined on 429 without Retry-After', async () => {
    const error = classifyHttpError(await answer({ status: 429 }));
    expect(error.kind).toBe('rate_limited');
    expect(error.retryAfterMs).toBeUndefined();
  });

  it('keeps Retry-After on a 503', async () => {
    const error = classifyHttpError(await answer({ status: 503, headers: { 'Retry-After': '120' } }));
    expect(error).toMatchObject({ kind: 'transient', retryAfterMs: 120_000 });
  });

  it('quotes a short, redacted excerpt of the reply but not the URL path', async () => {
    const secret = 'tok_0123456789abcdef';
    const body = JSON.stringify({ error: `bad token ${secret}`, padding: 'x'.repeat(500) });
    const error = classifyHttpError(await answer({ status: 400, body }, '/hooks/path-credential'), { redact: [secret] });
    expect(error.message).toMatch(/^POST http:\/\/127\.0\.0\.1:\d+ answered HTTP 400 Bad Request: /);
    expect(error.message).toContain('bad token [redacted]');
    expect(error.message).not.toContain(secret);
    expect(error.message).not.toContain('path-credential');
    expect(error.message.length).toBeLessThan(300);
  });

  it('keeps up to 1024 characters of the reply, redacted, for the delivery ledger', async () => {
    const secret = 'tok_0123456789abcdef';
    const body = `bad token ${secret} ${'y'.repeat(2000)}`;
    const error = classifyHttpError(await answer({ status: 500, body }), { redact: [secret] });
    expect(error.response).toMatch(/^bad token \[redacted\] y+…$/);
    expect(error.response).toHaveLength(1025);
    expect(error.response).not.toContain(secret);
  });

  it('treats a refused connection as transient', async () => {
    const closed = await startLocalReceiver();
    await closed.close();
    const failure = await createHttpClient({ timeoutMs: 5_000 })
      .get(closed.url)
      .catch((e: unknown) => e);
    const error = classifyHttpError(failure);
    expect(error.kind).toBe('transient');
    expect(error.message).toContain('ECONNREFUSED');
    expect(error.status).toBeUndefined();
  });

  it('treats a timeout as transient', async () => {
    receiver.reply = () => ({ status: 200, delayMs: 1_000 });
    const failure = await createHttpClient({ baseURL: receiver.url, timeoutMs: 100 })
      .get('/slow')
      .catch((e: unknown) => e);
    const error = classifyHttpError(failure);
    expect(error.kind).toBe('transient');
    expect(error.message).toContain('ECONNABORTED');
  });

  it('treats a reset connection as transient', async () => {
    const net = await import('node:net');
    const server = net.createServer((socket) => socket.resetAndDestroy());
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as import('node:net').AddressInfo;
    const failure = await createHttpClient({ timeoutMs: 5_000 })
      .get(`http://127.0.0.1:${port}/`)
      .catch((e: unknown) => e);
    await new Promise((resolve) => server.close(resolve));
    const error = classifyHttpError(failure);
    expect(error.kind).toBe('transient');
    expect(error.message).toContain('ECONNRESET');
  });

  it('passes a ConnectorError through and treats other throws as transient', () => {
    const original = new ConnectorError('auth', 'expired token', { status: 401 });
    expect(classifyHttpError(original)).toBe(original);
    expect(classifyHttpError(new Error('socket hang up'))).toMatchObject({ kind: 'transient', message: 'request failed: socket hang up' });
    expect(classifyHttpError('weird')).toMatchObject({ kind: 'transient' });
  });
});
