import { Hono } from 'hono';
import { expect, it } from 'vitest';
import type { HubEnv } from './hub-env.js';
import { createPortalSessions } from './portal-session.js';

const sessions = createPortalSessions({ secret: 'test-page-secret', secure: false });
const app = new Hono<HubEnv>();
app.post('/start/:program/:member', async (c) => {
  await sessions.start(c, c.req.param('program'), c.req.param('member'));
  return c.body(null, 204);
});
app.get('/who/:program', async (c) => c.text((await sessions.memberId(c, c.req.param('program'))) ?? 'nobody'));

async function cookieFor(program: string, member: string) {
  const res = await app.request(`/start/${program}/${member}`, { method: 'POST' });
  return res.headers.getSetCookie()[0]!.split(';')[0]!;
}
const who = async (program: string, cookie: string) => (await app.request(`/who/${program}`, { headers: { cookie } })).text();

it('reads back the member it was started for, in that program only', async () => {
  const cookie = await cookieFor('prg_a', 'mem_1');
  expect(cookie.startsWith('rh_portal_prg_a=')).toBe(true);
  expect(await who('prg_a', cookie)).toBe('mem_1');
  expect(await who('prg_b', cookie)).toBe('nobody');
});

it('a session value moved under another program’s cookie name reads as signed out, though its signature is valid', async () => {
  const value = (await cookieFor('prg_a', 'mem_1')).split('=').slice(1).join('=');
  expect(await who('prg_b', `rh_portal_prg_b=${value}`)).toBe('nobody');
});

it('an altered value or a session past its end reads as signed out', async () => {
  const cookie = await cookieFor('prg_a', 'mem_1');
  expect(await who('prg_a', cookie.replace('mem_1', 'mem_2'))).toBe('nobody');

  const realNow = Date.now;
  try {
    Date.now = () => realNow() + 7 * 86_400_000 + 1000;
    expect(await who('prg_a', cookie)).toBe('nobody');
  } finally {
    Date.now = realNow;
  }
});
