import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHarness, type Harness } from '../support/hub-harness.js';
import { programWithMember } from '../support/fixtures.js';
import { ConsoleClient, signedInAs, TEST_PASSWORD } from '../support/console-client.js';
import { createUserService } from '../../hub/console/user-service.js';

let h: Harness;
let secureHub: Harness;
beforeAll(async () => {
  [h, secureHub] = await Promise.all([
    createHarness({ worker: false }),
    createHarness({ worker: false, publicUrl: 'https://hub.example.com' }),
  ]);
});
afterAll(async () => {
  await Promise.all([h?.close(), secureHub?.close()]);
});

describe('signing in to the console', () => {
  it('sends / to /ui and a signed-out browser to /login, with where it was going', async () => {
    const root = await h.app.request('/', { redirect: 'manual' });
    expect(root.status).toBe(302);
    expect(root.headers.get('location')).toBe('/ui');
    const page = await h.app.request('/ui/rewards?status=pending', { redirect: 'manual' });
    expect(page.status).toBe(303);
    expect(page.headers.get('location')).toBe('/login?next=%2Fui%2Frewards%3Fstatus%3Dpending');
    const fragment = await h.app.request('/ui/rewards', { headers: { 'hx-request': 'true' } });
    expect(fragment.status).toBe(401);
    expect(fragment.headers.get('hx-redirect')).toMatch(/^\/login/);
  });

  it('signs in with the right password and sets an HttpOnly, SameSite session cookie; not Secure over http', async () => {
    const { client } = await signedInAs(h, 'editor', { email: 'ed@example.com' });
    const res = await client.get('/ui');
    expect(res.status).toBe(200);
    expect(res.text).toContain('ed@example.com');
    const fresh = new ConsoleClient(h);
    await fresh.get('/login');
    const signIn = await h.app.request('/login', {
      method: 'POST',
      redirect: 'manual',
      headers: {
        'content-type': 'application/x-www-form-urlencoded',
        cookie: `rh_csrf=${/rh_csrf=([^;]+)/.exec((await h.app.request('/login')).headers.get('set-cookie')!)![1]}`,
      },
      body: '',
    });
    expect(signIn.status).toBe(403);
    const ok = await fresh.signIn('ed@example.com', TEST_PASSWORD);
    expect(ok.status).toBe(303);
    expect(ok.headers.get('location')).toBe('/ui');
    const cookie = ok.headers.getSetCookie().find((c) => c.startsWith('rh_session='))!;
    expect(cookie).toMatch(/HttpOnly/);
    expect(cookie).toMatch(/SameSite=Lax/);
    expect(cookie).toMatch(/Path=\//);
    expect(cookie).not.toMatch(/Secure/);
  });

  it('over https the session cookie is Secure and __Host- prefixed', async () => {
    await createUserService(secureHub.db.db).create({ email: 'sec@example.com', role: 'viewer' }, TEST_PASSWORD);
    const client = new ConsoleClient(secureHub);
    const res = await client.signIn('sec@example.com', TEST_PASSWORD);
    expect(res.status).toBe(303);
    const cookie = res.headers.getSetCookie().find((c) => c.includes('rh_session='))!;
    expect(cookie).toMatch(/^__Host-rh_session=/);
    expect(cookie).toMatch(/Secure/);
    expect(cookie).toMatch(/HttpOnly/);
    expect((await client.get('/ui')).status).toBe(200);
  });

  it('goes back to the page asked for, but never off-site', async () => {
    await createUserService(h.db.db).create({ email: 'next@example.com', role: 'viewer' }, TEST_PASSWORD);
    for (const [next, expected] of [
      ['/ui/rewards?status=pending', '/ui/rewards?status=pending'],
      ['https://evil.example/ui', '/ui'],
      ['//evil.example/ui', '/ui'],
    ]) {
      const client = new ConsoleClient(h);
      await client.get(`/login?next=${encodeURIComponent(next!)}`);
      const res = await client.post('/login', { email: 'next@example.com', password: TEST_PASSWORD, next: next! });
      expect(res.headers.get('location')).toBe(expected);
    }
  });

  it('answers a wrong password and an unknown email with the same message, and throttles repeated failures', async () => {
    await createUserService(h.db.db).create({ email: 'victim@example.com', role: 'admin' }, TEST_PASSWORD);
    const client = new ConsoleClient(h);
    await client.get('/login');
    const unknown = await client.post('/login', { email: 'nobody@example.com', password: 'whatever-password' });
    const wrong = await client.post('/login', { email: 'victim@example.com', password: 'wrong-password' });
    expect(unknown.status).toBe(401);
    expect(wrong.status).toBe(401);
    expect(unknown.text).toContain('Email or password is incorrect.');
    expect(wrong.text).toContain('Email or password is incorrect.');
    await client.post('/login', { email: 'victim@example.com', password: 'wrong-password' });
    await client.post('/login', { email: 'victim@example.com', password: 'wrong-password' });
    // Now even the right password waits: the attacker cannot tell it was right.
    const throttled = await client.post('/login', { email: 'victim@example.com', password: TEST_PASSWORD });
    expect(throttled.status).toBe(429);
    expect(Number(throttled.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(throttled.text).toContain('Too many attempts');
    // The wait grows with each failure.
    await h.db.sql`update login_throttle set blocked_until = null where key = 'email:victim@example.com'`;
    await client.post('/login', { email: 'victim@example.com', password: 'wrong-password' });
    const [row] = await h.db.sql<{ failures: number; wait: number }[]>`
      select failures, extract(epoch from blocked_until - now())::float as wait from login_throttle where key = 'email:victim@example.com'`;
    expect(row!.failures).toBe(4);
    expect(row!.wait).toBeGreaterThan(1);
  });

  it('refuses a change without the session CSRF token, as a cross-site form post would send it', async () => {
    const { client } = await signedInAs(h, 'admin');
    const forged = await client.request('POST', '/ui/anything', {
      form: { name: 'x' },
      headers: { origin: 'https://evil.example', 'sec-fetch-site': 'cross-site' },
    });
    expect(forged.status).toBe(403);
    expect(forged.text).toContain('another site');
    const wrongToken = await client.request('POST', '/ui/anything', { form: { _csrf: 'forged' } });
    expect(wrongToken.status).toBe(403);
    // With the token, the request reaches the pages (none is at this path).
    expect((await client.post('/ui/anything')).status).toBe(404);
  });

  it('lets a viewer look but answers 403 to any change, and keeps users and API keys to admins', async () => {
    const { client } = await signedInAs(h, 'viewer');
    expect((await client.post('/ui/programs')).status).toBe(403);
    expect((await client.get('/ui/users')).status).toBe(403);
    const { client: editor } = await signedInAs(h, 'editor');
    expect((await editor.get('/ui/api-keys')).status).toBe(403);
    const page = await editor.get('/ui');
    expect(page.text).not.toContain('href="/ui/users"');
  });

  it('signs out: the old cookie no longer opens a page', async () => {
    const { client } = await signedInAs(h, 'viewer');
    const out = await client.post('/logout');
    expect(out.status).toBe(303);
    expect((await client.get('/ui')).status).toBe(303);
  });

  it('ends a session left idle past its limit', async () => {
    const { client, user } = await signedInAs(h, 'viewer');
    await h.db.sql`update console_sessions set last_seen_at = now() - interval '2 hours' where user_id = ${user.id}`;
    const res = await client.get('/ui');
    expect(res.status).toBe(303);
    expect(res.headers.get('location')).toMatch(/^\/login/);
  });
});

describe('first admin', () => {
  it('creates the first admin through a one-time setup link, which then stops working', async () => {
    const fresh = await createHarness({ worker: false });
    try {
      const users = createUserService(fresh.db.db);
      const token = await users.createSetupToken(null);
      const client = new ConsoleClient(fresh);
      expect((await client.get(`/setup/${token}`)).text).toContain('Create the first admin');
      const mismatch = await client.post(`/setup/${token}`, { email: 'boss@example.com', password: TEST_PASSWORD, confirm: 'other' });
      expect(mismatch.status).toBe(422);
      const done = await client.post(`/setup/${token}`, { email: 'boss@example.com', password: TEST_PASSWORD, confirm: TEST_PASSWORD });
      expect(done.status).toBe(303);
      expect((await client.get('/ui')).text).toContain('boss@example.com');
      expect((await new ConsoleClient(fresh).get(`/setup/${token}`)).status).toBe(404);
      expect((await users.findByEmail('boss@example.com'))!.role).toBe('admin');
    } finally {
      await fresh.close();
    }
  });

  it('HUB_BOOTSTRAP_ADMIN_* creates the admin, and resets its password on a later start', async () => {
    const users = createUserService(h.db.db);
    await users.ensureBootstrapAdmin('boot@example.com', 'first-password');
    await users.ensureBootstrapAdmin('boot@example.com', 'second-password');
    expect(await users.checkPassword('boot@example.com', 'first-password')).toBeUndefined();
    expect((await users.checkPassword('boot@example.com', 'second-password'))?.role).toBe('admin');
  });
});

describe('actor on events', () => {
  it('records the API key that made a change', async () => {
    const { member } = await programWithMember(h, []);
    const [event] = await h.db.sql<
      { actor: unknown }[]
    >`select actor from events where subject_id = ${member.id} and type = 'member.created'`;
    expect(event!.actor).toEqual({ type: 'api_key', id: 'bootstrap', name: 'bootstrap' });
  });
});
