import { createHash } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { serve } from '@hono/node-server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CLICK_RATE_LIMIT } from '../../hub/routes/click-routes.js';
import { programWithMember } from '../support/fixtures.js';
import { createHarness, type Harness } from '../support/hub-harness.js';

const CHROME = 'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0.0.0 Safari/537.36';

/** The harness's app behind a real HTTP server, so the peer address is a real socket's. */
async function listen(h: Harness) {
  const server = await new Promise<ReturnType<typeof serve>>((resolve) => {
    const s = serve({ fetch: h.app.fetch, port: 0, hostname: '127.0.0.1' }, () => resolve(s));
  });
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    click: (code: string, headers: Record<string, string> = {}) =>
      fetch(`${base}/r/${code}`, { redirect: 'manual', headers: { 'user-agent': CHROME, ...headers } }),
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

const clickCount = async (h: Harness, memberId: string) =>
  (await h.db.sql`select count(*)::int as n from clicks where member_id = ${memberId}`)[0]!.n as number;
const ipHash = (ip: string) => createHash('sha256').update(`test-salt:${ip}`).digest('hex');

describe('without trusted proxies', () => {
  let h: Harness;
  let http: Awaited<ReturnType<typeof listen>>;
  beforeAll(async () => {
    h = await createHarness({ worker: false });
    http = await listen(h);
  });
  afterAll(async () => {
    await http?.close();
    await h?.close();
  });

  it(`every click is recorded up to ${CLICK_RATE_LIMIT} a minute, then answered 429 rate_limited with Retry-After, never dropped silently`, async () => {
    const { member } = await programWithMember(h, []);
    for (let i = 0; i < CLICK_RATE_LIMIT; i++) {
      // X-Forwarded-For from an untrusted peer changes nothing: it is not read.
      const res = await http.click(member.referralCode, { 'x-forwarded-for': `198.51.100.${i % 250}` });
      expect(res.status).toBe(302);
      await res.arrayBuffer();
    }
    expect(await clickCount(h, member.id)).toBe(CLICK_RATE_LIMIT);

    const over = await http.click(member.referralCode, { 'x-forwarded-for': '198.51.100.99' });
    expect(over.status).toBe(429);
    const retryAfter = Number(over.headers.get('retry-after'));
    expect(retryAfter).toBeGreaterThanOrEqual(1);
    expect(retryAfter).toBeLessThanOrEqual(60);
    const body = (await over.json()) as { error: { code: string; details: { retryAfterSeconds: number } } };
    expect(body.error.code).toBe('rate_limited');
    expect(body.error.details.retryAfterSeconds).toBe(retryAfter);
    expect(over.headers.getSetCookie()).toEqual([]);

    // A browser gets a page that says so and retries by itself when the window turns.
    const browser = await http.click(member.referralCode, { accept: 'text/html,application/xhtml+xml,*/*;q=0.8' });
    expect(browser.status).toBe(429);
    expect(Number(browser.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
    expect(browser.headers.get('content-type')).toContain('text/html');
    expect(await browser.text()).toMatch(/http-equiv="refresh" content="\d+"/);

    expect(await clickCount(h, member.id)).toBe(CLICK_RATE_LIMIT);
    const [row] = await h.db.sql`select distinct ip_hash from clicks where member_id = ${member.id}`;
    expect(row!.ip_hash).toBe(ipHash('127.0.0.1'));
  });
});

describe('behind a trusted proxy', () => {
  let h: Harness;
  let http: Awaited<ReturnType<typeof listen>>;
  beforeAll(async () => {
    h = await createHarness({ worker: false, trustedProxies: ['127.0.0.0/8'] });
    http = await listen(h);
  });
  afterAll(async () => {
    await http?.close();
    await h?.close();
  });

  it('each client behind the proxy has its own budget, keyed by the right-most untrusted X-Forwarded-For address', async () => {
    const { member } = await programWithMember(h, []);
    for (let i = 0; i < CLICK_RATE_LIMIT; i++) {
      // The left-most entry is the client's own claim and changes every time; it must not matter.
      const res = await http.click(member.referralCode, { 'x-forwarded-for': `10.9.9.${i % 250}, 203.0.113.7, 127.0.0.2` });
      expect(res.status).toBe(302);
      await res.arrayBuffer();
    }
    const over = await http.click(member.referralCode, { 'x-forwarded-for': 'anything, 203.0.113.7' });
    expect(over.status).toBe(429);
    await over.arrayBuffer();
    // Another client through the same proxy is not held back by the first one.
    const other = await http.click(member.referralCode, { 'x-forwarded-for': '203.0.113.8' });
    expect(other.status).toBe(302);

    const hashes = await h.db.sql`select ip_hash, count(*)::int as n from clicks where member_id = ${member.id} group by ip_hash`;
    expect(Object.fromEntries(hashes.map((r) => [r.ip_hash, r.n]))).toEqual({
      [ipHash('203.0.113.7')]: CLICK_RATE_LIMIT,
      [ipHash('203.0.113.8')]: 1,
    });
  });
});
