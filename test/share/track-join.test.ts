import { afterAll, beforeAll, expect, it } from 'vitest';
import { createHarness, type Harness } from '../support/hub-harness.js';
import { track, trackingProgram } from '../support/track-client.js';

let h: Harness;
beforeAll(async () => {
  h = await createHarness({ worker: false });
});
afterAll(async () => {
  await h?.close();
});

it('the share widget joins by email: the member’s own link, the same one again, nothing else about them', async () => {
  const p = await trackingProgram(h);
  const first = await track(h, 'join', { key: p.key, email: 'Cy@Example.com', firstName: 'Cy' });
  expect(first.status, JSON.stringify(first.body)).toBe(200);
  expect(Object.keys(first.body).sort()).toEqual(['referralCode', 'referralUrl']);
  expect(first.body.referralUrl).toBe(`http://hub.test/r/${first.body.referralCode}`);
  const again = await track(h, 'join', { key: p.key, email: 'cy@example.com' });
  expect(again.body).toEqual(first.body);
  const members = await h.db.sql`select email from members where program_id = ${p.program.id} and lower(email) = 'cy@example.com'`;
  expect(members).toHaveLength(1);
});

it('joining is refused from a page the program does not allow, and with a secret key', async () => {
  const p = await trackingProgram(h);
  const elsewhere = await track(h, 'join', { key: p.key, email: 'dee@example.com' }, { origin: 'https://evilshop.example' });
  expect(elsewhere.status).toBe(403);
  expect(elsewhere.headers.get('access-control-allow-origin')).toBeNull();
  const bearer = await track(h, 'join', { key: p.key, email: 'dee@example.com' }, { headers: { authorization: 'Bearer rh_sk_x' } });
  expect(bearer.status).toBe(403);
  expect(await h.db.sql`select 1 from members where lower(email) = 'dee@example.com'`).toHaveLength(0);
});

it('a click sets the referral cookie for the program’s cookie days (first-party behind a same-origin proxy)', async () => {
  const p = await trackingProgram(h);
  const res = await track(h, 'click', { key: p.key, code: p.code });
  expect(res.status).toBe(200);
  expect(res.body.cookieDays).toBe(30);
  const cookie = res.headers.get('set-cookie') ?? '';
  expect(cookie).toContain(`rh_ref=${p.code}`);
  expect(cookie).toContain('Max-Age=2592000');
  expect(cookie).toContain('SameSite=Lax');
  expect(cookie).not.toContain('HttpOnly');
});
