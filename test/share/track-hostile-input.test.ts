import { request } from 'node:http';
import type { AddressInfo } from 'node:net';
import { serve } from '@hono/node-server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TRACK_BODY_LIMIT_BYTES } from '../../hub/routes/track-routes.js';
import { createHarness, type Harness } from '../support/hub-harness.js';
import { track, trackingProgram, type TrackAnswer } from '../support/track-client.js';

let h: Harness;
let p: Awaited<ReturnType<typeof trackingProgram>>;
beforeAll(async () => {
  h = await createHarness({ worker: false });
  p = await trackingProgram(h);
});
afterAll(async () => {
  await h?.close();
});

function expectRefused(res: TrackAnswer, status: number, code: string, what: string) {
  expect(res.status, `${what}: ${JSON.stringify(res.body)}`).toBe(status);
  expect(res.body.error.code, what).toBe(code);
  expect(JSON.stringify(res.body), what).not.toMatch(/at \w+ \(|node_modules|postgres|drizzle|rh_pk_/i);
}

describe('hostile input on the public tracking endpoints: 4xx with a code, never 500', () => {
  it('malformed JSON → 400 malformed_json, as JSON or text/plain', async () => {
    for (const path of ['click', 'conversion'] as const) {
      for (const contentType of ['application/json', 'text/plain']) {
        for (const body of ['{"key": ', 'not json', '', '{"key": "x",}', '\u0000']) {
          expectRefused(
            await track(h, path, body, { contentType }),
            400,
            'malformed_json',
            `${path} ${contentType} ${JSON.stringify(body)}`,
          );
        }
      }
    }
  });

  it('a form post or another content type → 400', async () => {
    for (const contentType of ['application/x-www-form-urlencoded', 'multipart/form-data; boundary=x', 'application/xml']) {
      expectRefused(await track(h, 'click', `key=${p.key}&code=${p.code}`, { contentType }), 400, 'malformed_json', contentType);
    }
  });

  it(`bodies over ${TRACK_BODY_LIMIT_BYTES} bytes, and huge ones → 413 payload_too_large`, async () => {
    for (const size of [TRACK_BODY_LIMIT_BYTES + 1, 3 * 1024 * 1024]) {
      const body = { key: p.key, code: p.code, url: `https://shop.example/?x=${'a'.repeat(size)}` };
      expectRefused(await track(h, 'click', body), 413, 'payload_too_large', `${size} bytes`);
      expectRefused(await track(h, 'conversion', body, { contentType: 'text/plain' }), 413, 'payload_too_large', `${size} bytes`);
    }
  });

  it('a chunked body over the limit (no Content-Length) → 413 over real HTTP', async () => {
    const server = await new Promise<ReturnType<typeof serve>>((resolve) => {
      const s = serve({ fetch: h.app.fetch, port: 0, hostname: '127.0.0.1' }, () => resolve(s));
    });
    try {
      const { port } = server.address() as AddressInfo;
      const status = await new Promise<number>((resolve, reject) => {
        const req = request(
          {
            host: '127.0.0.1',
            port,
            method: 'POST',
            path: '/api/v1/track/click',
            agent: false,
            headers: { origin: 'https://shop.example', 'content-type': 'text/plain', 'transfer-encoding': 'chunked' },
          },
          (res) => {
            res.resume();
            resolve(res.statusCode!);
          },
        );
        req.on('error', reject);
        req.write(`{"key":"${p.key}","code":"${p.code}","url":"https://shop.example/?x=`);
        for (let i = 0; i < 20; i++) req.write('a'.repeat(1024));
        req.end('"}');
      });
      expect(status).toBe(413);
    } finally {
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
  });

  it('wrong types, wrong shapes, unknown fields and deep nesting → 422 validation_failed', async () => {
    const cases: [string, unknown][] = [
      ['array body', [{ key: p.key }]],
      ['string body', '"just a string"'], // JSON text of a string
      ['number body', 42],
      ['null body', null],
      ['code is a number', { key: p.key, code: 42 }],
      ['code is an object', { key: p.key, code: { $ne: '' } }],
      ['code too long', { key: p.key, code: 'A'.repeat(65) }],
      ['url not http', { key: p.key, code: p.code, url: 'javascript:alert(1)' }],
      ['unknown field', { key: p.key, code: p.code, isAdmin: true }],
      ['deeply nested', { key: p.key, code: p.code, url: JSON.parse(`${'['.repeat(500)}${']'.repeat(500)}`) }],
      ['prototype keys', JSON.parse(`{"key": "${p.key}", "code": "${p.code}", "__proto__": {"admin": true}}`)],
    ];
    for (const [what, body] of cases) expectRefused(await track(h, 'click', body), 422, 'validation_failed', what);
    const conversions: [string, unknown][] = [
      ['email missing', { key: p.key, code: p.code }],
      ['email not an email', { key: p.key, code: p.code, email: 'nope' }],
      ['email is an array', { key: p.key, code: p.code, email: ['a@b.example'] }],
      ['negative amount', { key: p.key, code: p.code, email: 'a@b.example', amount: -5 }],
      ['amount a string', { key: p.key, code: p.code, email: 'a@b.example', amount: '1e999' }],
      ['currency not ISO', { key: p.key, code: p.code, email: 'a@b.example', currency: 'XXQ' }],
      ['orderId an object', { key: p.key, code: p.code, email: 'a@b.example', orderId: { a: 1 } }],
      ['orderId empty', { key: p.key, code: p.code, email: 'a@b.example', orderId: '' }],
      ['firstName too long', { key: p.key, code: p.code, email: 'a@b.example', firstName: 'x'.repeat(101) }],
    ];
    for (const [what, body] of conversions) expectRefused(await track(h, 'conversion', body), 422, 'validation_failed', what);
  });

  it('values the database cannot hold (a NUL in a code or an order id) → 4xx', async () => {
    for (const [path, body] of [
      ['click', { key: p.key, code: 'AB\u0000CD' }],
      ['conversion', { key: p.key, code: p.code, email: 'nul@example.com', orderId: 'o-\u0000' }],
      ['conversion', { key: p.key, code: p.code, email: 'nul2@example.com', firstName: 'Bo\u0000b' }],
      ['conversion', { key: `rh_pk_\u0000${'x'.repeat(20)}`, code: p.code, email: 'nul3@example.com' }],
    ] as const) {
      const res = await track(h, path, body);
      expect(res.status, `${path} ${JSON.stringify(body)}: ${JSON.stringify(res.body)}`).toBeGreaterThanOrEqual(400);
      expect(res.status, `${path} ${JSON.stringify(body)}`).toBeLessThan(500);
    }
  });

  it('odd headers: a garbage Origin or Referer, a huge cookie, a garbage rh_vid → 4xx or a normal answer, never 500', async () => {
    const body = { key: p.key, code: p.code };
    for (const req of [
      { origin: 'https://shop.example:99999' },
      { origin: '%%%' },
      { origin: null, referer: 'http://[::1' },
      { cookie: `rh_vid=${'x'.repeat(4000)}` },
      { cookie: 'rh_vid=%00%ff; rh_vid=two' },
      { userAgent: '' },
    ]) {
      const res = await track(h, 'click', body, req);
      expect(res.status, JSON.stringify(req)).toBeLessThan(500);
    }
  });
});
