import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHarness, TEST_ADMIN_KEY, type Harness } from '../support/hub-harness.js';
import { countOf, track, trackingProgram } from '../support/track-client.js';

let h: Harness;
beforeAll(async () => {
  h = await createHarness({ worker: false });
});
afterAll(async () => {
  await h?.close();
});

let n = 0;
const email = () => `pk-${Date.now().toString(36)}${(n++).toString(36)}@example.com`;

async function apiKey(scopes: string[], programIds: string[] = []) {
  const res = await h.call('POST', '/api/v1/api-keys', { name: `k${n++}`, scopes, programIds });
  expect(res.status).toBe(201);
  return res.body.key as string;
}

describe('POST /api/v1/programs/:id/publishable-key', () => {
  it('rotates: 200 with a new rh_pk_ key, the program shows it, and the old key is refused at once', async () => {
    const p = await trackingProgram(h);
    expect(p.key).toMatch(/^rh_pk_[\w-]{24}$/);
    expect((await track(h, 'click', { key: p.key, code: p.code })).status).toBe(200);

    const rotated = await h.call('POST', `/api/v1/programs/${p.program.id}/publishable-key`);
    expect(rotated.status).toBe(200);
    expect(Object.keys(rotated.body)).toEqual(['publishableKey']);
    expect(rotated.body.publishableKey).toMatch(/^rh_pk_[\w-]{24}$/);
    expect(rotated.body.publishableKey).not.toBe(p.key);
    expect((await h.call('GET', `/api/v1/programs/${p.program.id}`)).body.publishableKey).toBe(rotated.body.publishableKey);

    const old = await track(h, 'conversion', { key: p.key, code: p.code, email: email() });
    expect(old.status).toBe(401);
    expect(old.body.error.code).toBe('unauthorized');
    expect(old.headers.get('access-control-allow-origin')).toBeNull();
    expect((await track(h, 'click', { key: p.key, code: p.code }, { cookie: 'rh_vid=after-rotation' })).status).toBe(401);
    const fresh = await track(h, 'conversion', { key: rotated.body.publishableKey, code: p.code, email: email() });
    expect(fresh.status).toBe(201);
  });

  it('needs the admin scope, like every program setting; another program’s id is 404 for a limited key', async () => {
    const p = await trackingProgram(h);
    const other = await trackingProgram(h);
    const as = (key: string, programId: string) =>
      h.app.request(`/api/v1/programs/${programId}/publishable-key`, { method: 'POST', headers: { authorization: `Bearer ${key}` } });
    expect((await as(await apiKey(['write']), p.program.id)).status).toBe(403);
    expect((await as(await apiKey(['track']), p.program.id)).status).toBe(403);
    expect((await as(await apiKey(['admin'], [p.program.id]), other.program.id)).status).toBe(404);
    expect((await as(await apiKey(['admin'], [p.program.id]), p.program.id)).status).toBe(200);
    expect((await h.call('POST', '/api/v1/programs/prg_nope/publishable-key')).status).toBe(404);
    // The other program's key was not touched.
    expect((await h.call('GET', `/api/v1/programs/${other.program.id}`)).body.publishableKey).toBe(other.key);
  });
});

describe('secret API keys never work on the public endpoints', () => {
  it('an Authorization: Bearer header is refused (403), even an admin key with a valid publishable key in the body', async () => {
    const p = await trackingProgram(h);
    for (const path of ['click', 'conversion'] as const) {
      const res = await track(
        h,
        path,
        { key: p.key, code: p.code, email: email() },
        { headers: { authorization: `Bearer ${TEST_ADMIN_KEY}` }, cookie: 'rh_vid=bearer-visitor' },
      );
      expect(res.status, path).toBe(403);
      expect(res.body.error.code).toBe('forbidden');
      expect(res.body.error.message).toMatch(/publishable key/);
      expect(JSON.stringify(res.body)).not.toContain(TEST_ADMIN_KEY);
      // The admin key alone (no publishable key) is refused too.
      const alone = await track(h, path, { code: p.code, email: email() }, { headers: { authorization: `Bearer ${TEST_ADMIN_KEY}` } });
      expect(alone.status).toBe(403);
    }
    expect(await countOf(h, 'clicks', p.member.id)).toBe(0);
    expect(await countOf(h, 'referrals', p.member.id)).toBe(0);
    // Another scheme (Basic auth of a staging site in front of a same-origin proxy) is not ours and is not read.
    const basic = await track(h, 'click', { key: p.key, code: p.code }, { headers: { authorization: 'Basic dXNlcjpwYXNz' } });
    expect(basic.status).toBe(200);
  });

  it('a secret key in the key field is answered exactly like an unknown or rotated key', async () => {
    const p = await trackingProgram(h);
    const secret = await apiKey(['admin']);
    const rotatedAway = p.key;
    await h.call('POST', `/api/v1/programs/${p.program.id}/publishable-key`);
    const answers = [];
    for (const key of [secret, TEST_ADMIN_KEY, rotatedAway, 'rh_pk_madeupmadeupmadeupmadeup', '', 42, null]) {
      const res = await track(h, 'conversion', { key, code: p.code, email: email() });
      expect(res.status, String(key)).toBe(401);
      answers.push(res.body);
      expect(res.headers.get('access-control-allow-origin')).toBeNull();
    }
    expect(new Set(answers.map((a) => JSON.stringify(a))).size).toBe(1);
    expect(answers[0]).toEqual({ error: { code: 'unauthorized', message: 'Missing or unknown publishable key' } });
    const missing = await track(h, 'click', { code: p.code });
    expect(missing.body).toEqual(answers[0]);
    expect(await countOf(h, 'referrals', p.member.id)).toBe(0);
  });
});

describe('a publishable key speaks for its own program only', () => {
  it('program A’s key cannot record a click or a conversion for program B, from either program’s pages', async () => {
    const a = await trackingProgram(h, { allowedHostnames: ['a-shop.example'] });
    const b = await trackingProgram(h, { allowedHostnames: ['b-shop.example'] });
    // From A's pages B's code is unknown (422); from B's pages A's key is not allowed at all (403).
    for (const [origin, status] of [
      ['https://a-shop.example', 422],
      ['https://b-shop.example', 403],
    ] as const) {
      const click = await track(h, 'click', { key: a.key, code: b.code }, { origin });
      expect(click.status, origin).toBe(status);
      const conversion = await track(h, 'conversion', { key: a.key, code: b.code, email: email() }, { origin });
      expect(conversion.status, origin).toBe(status);
      const named = await track(h, 'conversion', { key: a.key, code: b.code, email: email(), programId: b.program.id }, { origin });
      expect(named.status, origin).toBe(status);
    }
    expect(await countOf(h, 'clicks', b.member.id)).toBe(0);
    expect(await countOf(h, 'referrals', b.member.id)).toBe(0);
    // B's own key from B's pages works (the refusals above are about the key, not the request).
    expect((await track(h, 'click', { key: b.key, code: b.code }, { origin: 'https://b-shop.example' })).status).toBe(200);
  });
});
