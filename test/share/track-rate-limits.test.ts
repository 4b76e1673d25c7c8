import type { AddressInfo } from 'node:net';
import { serve } from '@hono/node-server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TRACK_RATE_LIMITS } from '../../hub/routes/track-routes.js';
import { createHarness, type Harness } from '../support/hub-harness.js';
import { CHROME, countOf, track, trackingProgram } from '../support/track-client.js';

/** The harness's app behind a real HTTP server, so the client address is a real socket's. */
async function listen(h: Harness) {
  const server = await new Promise<ReturnType<typeof serve>>((resolve) => {
    const s = serve({ fetch: h.app.fetch, port: 0, hostname: '127.0.0.1' }, () => resolve(s));
  });
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    post: async (path: string, body: unknown, headers: Record<string, string> = {}) => {
      const res = await fetch(`${base}/api/v1/track/${path}`, {
        method: 'POST',
        headers: { origin: 'https://shop.example', 'content-type': 'text/plain', 'user-agent': CHROME, ...headers },
        body: JSON.stringify(body),
      });
      return { status: res.status, headers: res.headers, body: (await res.json().catch(() => null)) as any };
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

let n = 0;
const email = () => `rl-${Date.now().toString(36)}${(n++).toString(36)}@example.com`;

describe('per client address (defaults)', () => {
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

  it(`${TRACK_RATE_LIMITS.conversionsPerIp} conversions a minute from one address, then 429 rate_limited with Retry-After; another address goes on`, async () => {
    const p = await trackingProgram(h);
    for (let i = 0; i < TRACK_RATE_LIMITS.conversionsPerIp; i++) {
      const res = await http.post('conversion', { key: p.key, code: p.code, email: email() }, { 'x-forwarded-for': '203.0.113.7' });
      expect(res.status, JSON.stringify(res.body)).toBe(201);
    }
    const over = await http.post('conversion', { key: p.key, code: p.code, email: email() }, { 'x-forwarded-for': '203.0.113.7' });
    expect(over.status).toBe(429);
    expect(over.body.error.code).toBe('rate_limited');
    const retryAfter = Number(over.headers.get('retry-after'));
    expect(retryAfter).toBeGreaterThanOrEqual(1);
    expect(retryAfter).toBeLessThanOrEqual(60);
    expect(over.body.error.details.retryAfterSeconds).toBe(retryAfter);
    expect(await countOf(h, 'referrals', p.member.id)).toBe(TRACK_RATE_LIMITS.conversionsPerIp);

    const other = await http.post('conversion', { key: p.key, code: p.code, email: email() }, { 'x-forwarded-for': '203.0.113.8' });
    expect(other.status).toBe(201);
    // Clicks have a budget of their own.
    expect((await http.post('click', { key: p.key, code: p.code }, { 'x-forwarded-for': '203.0.113.7' })).status).toBe(200);
  });
});

describe('per publishable key', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await createHarness({ worker: false, trackRateLimits: { perKey: 5 } });
  });
  afterAll(async () => {
    await h?.close();
  });

  it('over the key’s budget: 429 with Retry-After that the allowed page can read; other programs’ keys are not held back', async () => {
    const p = await trackingProgram(h);
    const other = await trackingProgram(h);
    for (let i = 0; i < 5; i++) {
      const res = await track(h, 'click', { key: p.key, code: p.code }, { cookie: `rh_vid=visitor-limit-${i}` });
      expect(res.status).toBe(200);
    }
    const over = await track(h, 'click', { key: p.key, code: p.code }, { cookie: 'rh_vid=visitor-limit-x' });
    expect(over.status).toBe(429);
    expect(over.body.error.code).toBe('rate_limited');
    expect(Number(over.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
    expect(over.headers.get('access-control-allow-origin')).toBe('https://shop.example');
    expect(over.headers.get('access-control-expose-headers')).toContain('Retry-After');
    expect(await countOf(h, 'clicks', p.member.id)).toBe(5);
    expect((await track(h, 'click', { key: other.key, code: other.code })).status).toBe(200);
  });
});
