import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHttpClient, USER_AGENT } from './create-http-client.js';
import { startLocalReceiver, type LocalReceiver } from '../../test/support/start-local-receiver.js';

describe('createHttpClient', () => {
  let receiver: LocalReceiver;
  beforeAll(async () => {
    receiver = await startLocalReceiver();
  });
  afterAll(() => receiver.close());

  it('sends the hub user agent and resolves paths against the base URL', async () => {
    receiver.reply = () => ({ status: 200, headers: { 'content-type': 'application/json' }, body: '{"ok":true}' });
    const client = createHttpClient({ baseURL: `${receiver.url}/api/`, timeoutMs: 5_000, headers: { 'X-Extra': 'yes' } });
    const response = await client.get('items');
    expect(response.data).toEqual({ ok: true });
    const seen = receiver.requests.at(-1);
    expect(seen?.path).toBe('/api/items');
    expect(seen?.headers['user-agent']).toBe(USER_AGENT);
    expect(seen?.headers['x-extra']).toBe('yes');
  });

  it('hands every status back instead of throwing', async () => {
    const client = createHttpClient({ baseURL: receiver.url, timeoutMs: 5_000 });
    for (const status of [404, 429, 500]) {
      receiver.reply = () => ({ status });
      expect((await client.get('/s')).status).toBe(status);
    }
  });

  it('does not follow redirects', async () => {
    receiver.reply = (request) =>
      request.path === '/start' ? { status: 302, headers: { location: `${receiver.url}/elsewhere` } } : { status: 200 };
    const before = receiver.requests.length;
    const response = await createHttpClient({ timeoutMs: 5_000 }).post(`${receiver.url}/start`, { a: 1 });
    expect(response.status).toBe(302);
    expect(receiver.requests.slice(before).map((r) => r.path)).toEqual(['/start']);
  });

  it('gives up after the timeout', async () => {
    receiver.reply = () => ({ status: 200, delayMs: 1_000 });
    const client = createHttpClient({ baseURL: receiver.url, timeoutMs: 100 });
    await expect(client.get('/slow')).rejects.toMatchObject({ code: 'ECONNABORTED' });
  });
});
