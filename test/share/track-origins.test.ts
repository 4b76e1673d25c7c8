import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHarness, type Harness } from '../support/hub-harness.js';
import { countOf, track, trackingProgram } from '../support/track-client.js';

let h: Harness;
let p: Awaited<ReturnType<typeof trackingProgram>>;
beforeAll(async () => {
  h = await createHarness({ worker: false });
  p = await trackingProgram(h);
});
afterAll(async () => {
  await h?.close();
});

const click = (origin: string | null, extra: Parameters<typeof track>[3] = {}) =>
  track(h, 'click', { key: p.key, code: p.code }, { origin, ...extra });

describe('which pages may call the tracking endpoints', () => {
  it('the exact hostname and its subdomains (*.shop.example) are answered, with their own origin echoed', async () => {
    for (const origin of [
      'https://shop.example',
      'https://www.shop.example',
      'https://eu.checkout.shop.example',
      'http://shop.example:8080',
    ]) {
      const res = await click(origin);
      expect(res.status, `${origin}: ${JSON.stringify(res.body)}`).toBe(200);
      expect(res.body).toEqual({ clickId: expect.stringMatching(/^clk_/), cookieDays: 30 });
      expect(res.headers.get('access-control-allow-origin')).toBe(origin);
      expect(res.headers.get('vary')).toContain('Origin');
      expect(res.headers.get('access-control-allow-credentials')).toBeNull();
    }
  });

  it('lookalikes, other sites and the wildcard’s parent of another entry are 403 forbidden without any CORS header, and record nothing', async () => {
    const before = await countOf(h, 'clicks', p.member.id);
    for (const origin of [
      'https://evilshop.example', // ends with "shop.example" but is not a subdomain
      'https://shop.example.evil.test',
      'https://example',
      'https://attacker.test',
      'https://xshop.example',
      'null', // a sandboxed frame or a file: the browser hides the page
      'not a url',
    ]) {
      const res = await click(origin);
      expect(res.status, origin).toBe(403);
      expect(res.body.error.code, origin).toBe('forbidden');
      expect(res.headers.get('access-control-allow-origin'), origin).toBeNull();
    }
    expect(await countOf(h, 'clicks', p.member.id)).toBe(before);
  });

  it('*.domain matches subdomains only: a program listing just *.shop.example refuses shop.example itself', async () => {
    const only = await trackingProgram(h, { allowedHostnames: ['*.shop.example'] });
    const bare = await track(h, 'click', { key: only.key, code: only.code }, { origin: 'https://shop.example' });
    expect(bare.status).toBe(403);
    const sub = await track(h, 'click', { key: only.key, code: only.code }, { origin: 'https://a.shop.example' });
    expect(sub.status).toBe(200);
  });

  it('no Origin: the Referer names the page; neither → 403 forbidden', async () => {
    const viaReferer = await click(null, { referer: 'https://www.shop.example/thanks?order=1' });
    expect(viaReferer.status).toBe(200);
    expect(viaReferer.headers.get('access-control-allow-origin')).toBe('https://www.shop.example');
    const wrongReferer = await click(null, { referer: 'https://evilshop.example/' });
    expect(wrongReferer.status).toBe(403);
    // "Origin: null" (a sandboxed frame, a file) means the browser hid the page: a Referer does not override it.
    const hidden = await click('null', { referer: 'https://shop.example/' });
    expect(hidden.status).toBe(403);
    const none = await click(null);
    expect(none.status).toBe(403);
    expect(none.body.error.code).toBe('forbidden');
    expect(none.headers.get('access-control-allow-origin')).toBeNull();
  });

  it('a program with no allowed hostnames is reachable from nowhere', async () => {
    const closed = await trackingProgram(h, { allowedHostnames: [] });
    const res = await track(h, 'click', { key: closed.key, code: closed.code });
    expect(res.status).toBe(403);
    expect(res.headers.get('access-control-allow-origin')).toBeNull();
  });

  it('conversions follow the same rule', async () => {
    const ok = await track(
      h,
      'conversion',
      { key: p.key, code: p.code, email: 'origin-ok@example.com' },
      { origin: 'https://a.shop.example' },
    );
    expect(ok.status).toBe(201);
    expect(ok.headers.get('access-control-allow-origin')).toBe('https://a.shop.example');
    const bad = await track(
      h,
      'conversion',
      { key: p.key, code: p.code, email: 'origin-bad@example.com' },
      { origin: 'https://evilshop.example' },
    );
    expect(bad.status).toBe(403);
    expect(bad.headers.get('access-control-allow-origin')).toBeNull();
    const none = await track(h, 'conversion', { key: p.key, code: p.code, email: 'origin-none@example.com' }, { origin: null });
    expect(none.status).toBe(403);
    expect((await h.db.sql`select email from referrals where email like 'origin-%'`).map((r) => r.email)).toEqual([
      'origin-ok@example.com',
    ]);
  });

  it('an allowed page reads the errors it causes (the CORS header rides on 4xx answers once the key and page are known)', async () => {
    const res = await track(h, 'click', { key: p.key, code: 'NOPE-NOT-A-CODE' });
    expect(res.status).toBe(422);
    expect(res.body.error.code).toBe('validation_failed');
    expect(res.headers.get('access-control-allow-origin')).toBe('https://shop.example');
  });
});

describe('preflight', () => {
  const preflight = (origin: string | undefined, method = 'POST', path = 'click') =>
    h.app.request(`/api/v1/track/${path}`, {
      method: 'OPTIONS',
      headers: {
        ...(origin ? { origin } : {}),
        'access-control-request-method': method,
        'access-control-request-headers': 'content-type',
      },
    });

  it('an allowed origin gets 204 with its own origin, POST and Content-Type allowed', async () => {
    for (const path of ['click', 'conversion']) {
      const res = await preflight('https://www.shop.example', 'POST', path);
      expect(res.status).toBe(204);
      expect(res.headers.get('access-control-allow-origin')).toBe('https://www.shop.example');
      expect(res.headers.get('access-control-allow-methods')).toContain('POST');
      expect(res.headers.get('access-control-allow-headers')?.toLowerCase()).toBe('content-type');
      expect(res.headers.get('access-control-allow-headers')?.toLowerCase()).not.toContain('authorization');
      expect(Number(res.headers.get('access-control-max-age'))).toBeGreaterThan(0);
    }
  });

  it('a lookalike, no origin or another method gets 403 without CORS headers', async () => {
    for (const [origin, method] of [
      ['https://evilshop.example', 'POST'],
      [undefined, 'POST'],
      ['https://shop.example', 'DELETE'],
    ] as const) {
      const res = await preflight(origin, method);
      expect(res.status, `${origin} ${method}`).toBe(403);
      expect(res.headers.get('access-control-allow-origin')).toBeNull();
    }
  });

  it('admin routes never answer CORS', async () => {
    const res = await h.app.request('/api/v1/programs', {
      method: 'OPTIONS',
      headers: { origin: 'https://shop.example', 'access-control-request-method': 'GET' },
    });
    expect(res.headers.get('access-control-allow-origin')).toBeNull();
  });
});

describe('documentation', () => {
  it('/openapi.json lists both routes, with no API-key security and a JSON or text/plain body', async () => {
    const doc = (await (await h.app.request('/openapi.json')).json()) as any;
    for (const path of ['/api/v1/track/click', '/api/v1/track/conversion']) {
      const op = doc.paths[path]?.post;
      expect(op, path).toBeDefined();
      expect(op.security).toBeUndefined();
      expect(Object.keys(op.requestBody.content).sort()).toEqual(['application/json', 'text/plain']);
      expect(op.responses['403']).toBeDefined();
      expect(op.responses['429']).toBeDefined();
    }
    expect(doc.paths['/api/v1/track/conversion'].post.requestBody.content['text/plain'].schema.$ref).toBe(
      '#/components/schemas/TrackConversion',
    );
    expect(doc.paths['/api/v1/programs/{id}/publishable-key'].post.security).toEqual([{ bearerAuth: [] }]);
  });
});
