import http from 'node:http';
import type dns from 'node:dns';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConnectorError } from '../connector.js';
import { classifyHttpError } from '../http/classify-http-error.js';
import { createHttpClient } from '../http/create-http-client.js';
import { startLocalReceiver, type LocalReceiver } from '../../test/support/start-local-receiver.js';
import { createGuardedLookup } from './guarded-lookup.js';
import { createSsrfGuard } from './ssrf-guard.js';

type LookupResult = { error: NodeJS.ErrnoException | null; address: string | dns.LookupAddress[]; family?: number };

function callLookup(lookup: ReturnType<typeof createGuardedLookup>, host: string, options: dns.LookupOptions): Promise<LookupResult> {
  return new Promise((resolve) => lookup(host, options, (error, address, family) => resolve({ error, address, family })));
}

const records: Record<string, string[]> = {
  'public.example': ['93.184.216.34', '2606:2800:220:1:248:1893:25c8:1946'],
  'rebound.example': ['93.184.216.34', '10.0.0.7'],
  'receiver.test': ['127.0.0.1'],
};
const fakeDns = async (host: string) => records[host] ?? [];

describe('createGuardedLookup', () => {
  it('answers like dns.lookup for public names, honouring all and family', async () => {
    const lookup = createGuardedLookup({ allowPrivate: false, lookup: fakeDns });
    const all = await callLookup(lookup, 'public.example', { all: true });
    expect(all.error).toBeNull();
    expect(all.address).toEqual([
      { address: '93.184.216.34', family: 4 },
      { address: '2606:2800:220:1:248:1893:25c8:1946', family: 6 },
    ]);
    expect(await callLookup(lookup, 'public.example', {})).toEqual({ error: null, address: '93.184.216.34', family: 4 });
    expect(await callLookup(lookup, 'public.example', { family: 6 })).toEqual({
      error: null,
      address: '2606:2800:220:1:248:1893:25c8:1946',
      family: 6,
    });
  });

  it('refuses a name when any of its addresses is private', async () => {
    const lookup = createGuardedLookup({ allowPrivate: false, lookup: fakeDns });
    const { error } = await callLookup(lookup, 'rebound.example', { all: true });
    expect(error).toBeInstanceOf(ConnectorError);
    expect((error as unknown as ConnectorError).kind).toBe('invalid');
    expect(error?.message).toBe(
      'target rebound.example resolves to 10.0.0.7, a private address (set HUB_ALLOW_PRIVATE_TARGETS=true to allow)',
    );
  });

  it('passes private addresses through when allowed', async () => {
    const lookup = createGuardedLookup({ allowPrivate: true, lookup: fakeDns });
    expect(await callLookup(lookup, 'rebound.example', { family: 4, all: true })).toMatchObject({
      error: null,
      address: [
        { address: '93.184.216.34', family: 4 },
        { address: '10.0.0.7', family: 4 },
      ],
    });
  });

  it('reports a name without usable addresses as ENOTFOUND', async () => {
    const lookup = createGuardedLookup({ allowPrivate: false, lookup: fakeDns });
    const { error } = await callLookup(lookup, 'nowhere.example', {});
    expect(error?.code).toBe('ENOTFOUND');
  });

  describe('at connect time, through axios and http.Agent', () => {
    let receiver: LocalReceiver;
    beforeAll(async () => {
      receiver = await startLocalReceiver(() => ({ status: 200, body: 'ok' }));
    });
    afterAll(() => receiver.close());

    const hostUrl = () => receiver.url.replace('127.0.0.1', 'receiver.test');

    it('connects to the address the guard approved', async () => {
      const guard = createSsrfGuard({ allowPrivate: true, lookup: fakeDns });
      const client = createHttpClient({ timeoutMs: 5_000, lookup: guard.guardedLookup });
      const before = receiver.requests.length;
      const response = await client.get(`${hostUrl()}/allowed`);
      expect(response.status).toBe(200);
      expect(receiver.requests.slice(before).map((r) => r.path)).toEqual(['/allowed']);
    });

    it('refuses a name that resolves to loopback before any byte is sent', async () => {
      const guard = createSsrfGuard({ allowPrivate: false, lookup: fakeDns });
      const client = createHttpClient({ timeoutMs: 5_000, lookup: guard.guardedLookup });
      const before = receiver.requests.length;
      const failure = await client.get(`${hostUrl()}/refused`).catch((e: unknown) => e);
      const classified = classifyHttpError(failure);
      expect(classified.kind).toBe('invalid');
      expect(classified.message).toContain('target receiver.test resolves to 127.0.0.1, a loopback address');
      expect(receiver.requests.length).toBe(before);
    });

    it('works as http.Agent({ lookup })', async () => {
      const refusing = new http.Agent({ lookup: createGuardedLookup({ allowPrivate: false, lookup: fakeDns }) });
      const allowing = new http.Agent({ lookup: createGuardedLookup({ allowPrivate: true, lookup: fakeDns }) });
      const get = (agent: http.Agent) =>
        new Promise<number>((resolve, reject) => {
          http
            .get(`${hostUrl()}/agent`, { agent }, (res) => {
              res.resume();
              resolve(res.statusCode ?? 0);
            })
            .on('error', reject);
        });
      await expect(get(refusing)).rejects.toThrow('resolves to 127.0.0.1');
      await expect(get(allowing)).resolves.toBe(200);
      refusing.destroy();
      allowing.destroy();
    });
  });
});
