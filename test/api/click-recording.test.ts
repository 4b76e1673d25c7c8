import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { programWithMember } from '../support/fixtures.js';
import { createHarness, type Harness } from '../support/hub-harness.js';

const CHROME = 'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0.0.0 Safari/537.36';
const SAFARI_IPHONE =
  'Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Mobile/15E148 Safari/604.1';
const ROBOTS = [
  'Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)',
  'Slackbot-LinkExpanding 1.0 (+https://api.slack.com/robots)',
  'facebookexternalhit/1.1 (+http://www.facebook.com/externalhit_uatext.php)',
  'WhatsApp/2.23.20.0',
  'Mozilla/5.0 (compatible; bingbot/2.0; +http://www.bing.com/bingbot.htm)',
  'Twitterbot/1.0',
  'Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) HeadlessChrome/126.0.0.0 Safari/537.36',
  'Mozilla/5.0 (compatible; YandexBot/3.0; +http://yandex.com/bots)',
];

const clickCount = async (h: Harness, memberId: string) =>
  (await h.db.sql`select count(*)::int as n from clicks where member_id = ${memberId}`)[0]!.n as number;

describe('over http', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await createHarness({ worker: false });
  });
  afterAll(async () => {
    await h?.close();
  });

  it('HEAD redirects like GET but records no click and sets no cookie', async () => {
    const { member } = await programWithMember(h, []);
    const res = await h.app.request(`/r/${member.referralCode}`, { method: 'HEAD', headers: { 'user-agent': CHROME } });
    expect(res.status).toBe(302);
    expect(new URL(res.headers.get('location')!).searchParams.get('ref')).toBe(member.referralCode);
    expect(res.headers.getSetCookie()).toEqual([]);
    expect(await clickCount(h, member.id)).toBe(0);
  });

  it('known crawlers and link previews are redirected without a click or cookies', async () => {
    const { member } = await programWithMember(h, []);
    for (const ua of ROBOTS) {
      const res = await h.app.request(`/r/${member.referralCode}`, { headers: { 'user-agent': ua } });
      expect(res.status, ua).toBe(302);
      expect(new URL(res.headers.get('location')!).searchParams.get('ref'), ua).toBe(member.referralCode);
      expect(res.headers.getSetCookie(), ua).toEqual([]);
    }
    expect(await clickCount(h, member.id)).toBe(0);
  });

  it('browsers are recorded; rh_ref is HttpOnly and SameSite=Lax, not Secure on an http public URL', async () => {
    const { member } = await programWithMember(h, []);
    // curl too: people try their own links with it (the README walkthrough does).
    for (const ua of [CHROME, SAFARI_IPHONE, 'curl/8.5.0']) {
      const res = await h.app.request(`/r/${member.referralCode}`, { headers: { 'user-agent': ua } });
      expect(res.status).toBe(302);
      const ref = res.headers.getSetCookie().find((c) => c.startsWith('rh_ref='))!;
      expect(ref).toMatch(new RegExp(`^rh_ref=${member.referralCode};`));
      expect(ref).toMatch(/; HttpOnly(;|$)/);
      expect(ref).toMatch(/; SameSite=Lax(;|$)/);
      expect(ref).not.toMatch(/Secure/);
      // The visitor id stays readable: the page's script sends it with the conversion.
      const vid = res.headers.getSetCookie().find((c) => c.startsWith('rh_vid='))!;
      expect(vid).not.toMatch(/HttpOnly/);
    }
    expect(await clickCount(h, member.id)).toBe(3);
  });
});

describe('over https', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await createHarness({ worker: false, publicUrl: 'https://refer.example.com' });
  });
  afterAll(async () => {
    await h?.close();
  });

  it('rh_ref is Secure, HttpOnly and SameSite=Lax', async () => {
    const { member } = await programWithMember(h, []);
    const res = await h.app.request(`/r/${member.referralCode}`, { headers: { 'user-agent': CHROME } });
    const ref = res.headers.getSetCookie().find((c) => c.startsWith('rh_ref='))!;
    for (const attribute of [/; Secure(;|$)/, /; HttpOnly(;|$)/, /; SameSite=Lax(;|$)/]) expect(ref).toMatch(attribute);
    expect(await clickCount(h, member.id)).toBe(1);
  });
});

describe("the program's refParam", () => {
  let h: Harness;
  beforeAll(async () => {
    h = await createHarness({ worker: false });
  });
  afterAll(async () => {
    await h?.close();
  });

  it('a referral link lands with the code in the parameter the program reads (share.refParam)', async () => {
    const { member } = await programWithMember(h, [], { share: { refParam: 'via' } });
    const res = await h.app.request(`/r/${member.referralCode}`, { headers: { 'user-agent': CHROME } });
    expect(res.status).toBe(302);
    const location = new URL(res.headers.get('location')!);
    expect(location.searchParams.get('via')).toBe(member.referralCode);
    expect(location.searchParams.has('ref')).toBe(false);
  });
});

// A person's click on a code the hub resolved recently is one statement that re-checks the
// program and member; these changes must take effect at the very next click.
describe('a code clicked before', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await createHarness({ worker: false });
  });
  afterAll(async () => {
    await h?.close();
  });

  const click = async (code: string) => {
    const res = await h.app.request(`/r/${code}`, { headers: { 'user-agent': CHROME } });
    expect(res.status).toBe(302);
    return { location: new URL(res.headers.get('location')!), cookies: res.headers.getSetCookie() };
  };

  it('stops counting the moment its program is paused, and counts again once it is active', async () => {
    const { program, member } = await programWithMember(h, []);
    await click(member.referralCode);
    await click(member.referralCode);
    expect(await clickCount(h, member.id)).toBe(2);

    expect((await h.call('PATCH', `/api/v1/programs/${program.id}`, { status: 'paused' })).status).toBe(200);
    const paused = await click(member.referralCode);
    expect(paused.location.searchParams.has('ref')).toBe(false);
    expect(paused.cookies.some((c) => c.startsWith('rh_ref='))).toBe(false);
    await click(member.referralCode);
    expect(await clickCount(h, member.id)).toBe(2);

    expect((await h.call('PATCH', `/api/v1/programs/${program.id}`, { status: 'active' })).status).toBe(200);
    await click(member.referralCode);
    expect(await clickCount(h, member.id)).toBe(3);
  });

  it('follows a new landing page, ref parameter and cookie window at once, recording each click once', async () => {
    const { program, member } = await programWithMember(h, []);
    await click(member.referralCode);
    const changed = await h.call('PATCH', `/api/v1/programs/${program.id}`, {
      landingUrl: 'https://acme.example/new-offer',
      cookieDays: 7,
      share: { refParam: 'via' },
    });
    expect(changed.status, JSON.stringify(changed.body)).toBe(200);
    const after = await click(member.referralCode);
    expect(`${after.location.origin}${after.location.pathname}`).toBe('https://acme.example/new-offer');
    expect(after.location.searchParams.get('via')).toBe(member.referralCode);
    expect(after.cookies.find((c) => c.startsWith('rh_ref='))).toMatch(new RegExp(`Max-Age=${7 * 86_400}`));
    expect(await clickCount(h, member.id)).toBe(2);
    const [row] = await h.db.sql`select landing_url from clicks where member_id = ${member.id} order by created_at desc, id desc limit 1`;
    expect(row!.landing_url).toBe(after.location.toString());
  });

  it('stops counting for a deleted member', async () => {
    const { member } = await programWithMember(h, []);
    await click(member.referralCode);
    expect((await h.call('DELETE', `/api/v1/members/${member.id}`)).status).toBeLessThan(300);
    const gone = await click(member.referralCode);
    expect(gone.location.searchParams.has('ref')).toBe(false);
    expect(await clickCount(h, member.id)).toBe(1);
  });
});
