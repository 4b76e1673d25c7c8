import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HOSTED_POST_RATE_LIMIT } from '../../hub/http/hosted-page-kit.js';
import { COPY_SCRIPT_HASH, PAGE_CSS_HASH } from '../../hub/pages/page-assets.js';
import { programWithMember } from '../support/fixtures.js';
import { createHarness, type Harness } from '../support/hub-harness.js';
import { formsOf, servePages } from '../support/page-browser.js';

let h: Harness;
let pages: Awaited<ReturnType<typeof servePages>>;
let n = 0;
const friend = () => `friend-${Date.now().toString(36)}${(n++).toString(36)}@example.com`;

beforeAll(async () => {
  h = await createHarness({ worker: false, trustedProxies: ['127.0.0.0/8'] });
  pages = await servePages(h);
});
afterAll(async () => {
  await pages?.close();
  await h?.close();
});

const offer = { headline: 'Give $10, get $20', friendOffer: '$10 off your first order', description: 'Acme makes the best anvils.' };

async function offerProgram(status: 'active' | 'paused' | 'archived' = 'active') {
  const { program, member } = await programWithMember(h, [], { share: { offer } });
  if (status !== 'active') expect((await h.call('PATCH', `/api/v1/programs/${program.id}`, { status })).status).toBe(200);
  return { program, member };
}

const referralsOf = (programId: string) =>
  h.db.sql`select member_id, email, first_name, source, visitor_id from referrals where program_id = ${programId} order by created_at`;

describe('landing page', () => {
  it('shows the offer and who invited the visitor; its form records a conversion for that member (source hosted) and thanks them', async () => {
    const { program, member } = await offerProgram();
    const browser = pages.browser();
    const page = await browser.get(`/p/${program.slug}?ref=${member.referralCode.toLowerCase()}`);

    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toContain('text/html');
    expect(page.html.startsWith('<!doctype html>')).toBe(true);
    expect(page.html).toContain('<html lang="en">');
    expect(page.html).toContain('<meta name="viewport" content="width=device-width, initial-scale=1"/>');
    expect(page.html).toContain('Ann invited you');
    expect(page.html).toContain('<h1>Give $10, get $20</h1>');
    expect(page.html).toContain('$10 off your first order');
    expect(page.html).toContain('Acme makes the best anvils.');
    const [form] = formsOf(page.html);
    expect(form!.action).toBe(`/p/${program.slug}`);
    expect(form!.fields).toMatchObject({ ref: member.referralCode, website: '', email: '', first_name: '' });
    expect(form!.fields.csrf_token).toMatch(/^[\w-]{43}$/);
    // Every input has a label bound to it.
    for (const id of ['f-email', 'f-first_name', 'f-website']) expect(page.html).toContain(`<label for="${id}">`);

    const thanks = await browser.submit(page, { email: 'Bob@Example.com', first_name: 'Bob' });
    expect(thanks.status).toBe(200);
    expect(thanks.html).toContain('Thank you, Bob!');
    expect(thanks.html).toContain('$10 off your first order');
    const rows = await referralsOf(program.id);
    expect(rows).toEqual([
      { member_id: member.id, email: 'Bob@Example.com', first_name: 'Bob', source: 'hosted', visitor_id: browser.cookies.get('rh_vid') },
    ]);

    // The same person again: still thanked, still one referral.
    expect((await browser.submit(page, { email: 'bob@example.com' })).status).toBe(200);
    expect(await referralsOf(program.id)).toHaveLength(1);
  });

  it('sets security headers: a CSP allowing only its own inline style and script by hash, no framing, no referrer, no caching', async () => {
    const { program, member } = await offerProgram();
    const page = await pages.browser().get(`/p/${program.slug}?ref=${member.referralCode}`);
    const csp = page.headers.get('content-security-policy')!;
    expect(csp).toContain("default-src 'none'");
    expect(csp).toContain(`style-src ${PAGE_CSS_HASH}`);
    expect(csp).toContain(`script-src ${COPY_SCRIPT_HASH}`);
    expect(csp).toContain("form-action 'self'");
    expect(csp).toContain("frame-ancestors 'none'");
    expect(csp).not.toContain('unsafe-inline');
    expect(page.headers.get('x-frame-options')).toBe('DENY');
    expect(page.headers.get('referrer-policy')).toBe('no-referrer');
    expect(page.headers.get('x-content-type-options')).toBe('nosniff');
    expect(page.headers.get('cache-control')).toBe('no-store');
    // The form secret is HttpOnly and SameSite; the visitor id is readable by the merchant's script, as /r/:code sets it.
    const cookies = page.headers.getSetCookie();
    expect(cookies.find((c) => c.startsWith('rh_csrf='))).toMatch(/HttpOnly.*SameSite=Lax|SameSite=Lax.*HttpOnly/);
    expect(cookies.find((c) => c.startsWith('rh_vid='))).toContain('SameSite=Lax');
  });

  it('keeps the code from the rh_ref cookie /r/:code set when the landing URL has none', async () => {
    const { program, member } = await offerProgram();
    const browser = pages.browser();
    const click = await browser.get(`/r/${member.referralCode}`, { 'user-agent': 'Mozilla/5.0 (X11; Linux x86_64) Firefox/128.0' });
    expect(click.status).toBe(302);
    expect(browser.cookies.get('rh_ref')).toBe(member.referralCode);

    const page = await browser.get(`/p/${program.slug}`);
    expect(page.html).toContain('Ann invited you');
    const done = await browser.submit(page, { email: friend() });
    expect(done.status).toBe(200);
    expect((await referralsOf(program.id)).map((r) => r.member_id)).toEqual([member.id]);
  });

  it('refuses a self-referral from the member’s own browser with a 422 page, recording nothing', async () => {
    const { program } = await offerProgram();
    const browser = pages.browser();
    const joined = await browser.submit(await browser.get(`/p/${program.slug}/join`), {
      email: `carol-${n++}@acme-partners.test`,
      first_name: 'Carol',
    });
    const link = /id="member-link" type="url" readonly="" value="([^"]+)"/.exec(joined.html)![1]!;
    const code = link.split('/r/')[1]!;

    const page = await browser.get(`/p/${program.slug}?ref=${code}`);
    expect(page.html).toContain('Carol invited you');
    const refused = await browser.submit(page, { email: friend() });
    expect(refused.status).toBe(422);
    expect(refused.html).toContain('This is your own invitation');
    expect(refused.html).toContain('role="alert"');
    expect(await referralsOf(program.id)).toHaveLength(0);
  });

  it('re-renders the form with each message next to its field (422), keeping what was typed', async () => {
    const { program, member } = await offerProgram();
    const browser = pages.browser();
    const page = await browser.get(`/p/${program.slug}?ref=${member.referralCode}`);
    const refused = await browser.submit(page, { email: 'not-an-email', first_name: 'x'.repeat(101) });

    expect(refused.status).toBe(422);
    expect(refused.html).toContain('aria-invalid="true" aria-describedby="f-email-error"');
    expect(refused.html).toContain('<p class="error" id="f-email-error">Enter an email address like name@example.com.</p>');
    expect(refused.html).toContain('<p class="error" id="f-first_name-error">Use at most 100 characters.</p>');
    expect(formsOf(refused.html)[0]!.fields).toMatchObject({ email: 'not-an-email', ref: member.referralCode });

    const empty = await browser.submit(page, { email: '' });
    expect(empty.status).toBe(422);
    expect(empty.html).toContain('Enter your email address.');
    expect(await referralsOf(program.id)).toHaveLength(0);
  });

  it('answers an unknown program with a 404 page, and a paused or archived one politely without recording anything', async () => {
    const browser = pages.browser();
    const missing = await browser.get('/p/no-such-program');
    expect(missing.status).toBe(404);
    expect(missing.html).toContain('Page not found');

    for (const status of ['paused', 'archived'] as const) {
      const { program, member } = await offerProgram(status);
      const page = await browser.get(`/p/${program.slug}?ref=${member.referralCode}`);
      expect(page.status).toBe(200);
      expect(page.html).toContain(status === 'paused' ? 'is paused for now' : 'has ended');
      expect(formsOf(page.html)).toHaveLength(0);
      // A form opened before the pause gets the same page.
      const posted = await browser.post(`/p/${program.slug}`, { csrf_token: 'opened-before', ref: member.referralCode, email: friend() });
      expect(posted.html).toContain('This program is not running');
      expect(await referralsOf(program.id)).toHaveLength(0);
    }
  });

  it('escapes what program owners and members typed', async () => {
    const hostile = '<img src=x onerror=alert(1)>"\'&';
    const { program } = await programWithMember(h, [], {
      share: { offer: { headline: hostile, friendOffer: hostile, description: hostile } },
    });
    const member = await h.call('POST', '/api/v1/members', {
      programId: program.id,
      email: `mal-${n++}@example.com`,
      firstName: '</p><script>x()</script>',
    });
    const page = await pages.browser().get(`/p/${program.slug}?ref=${member.body.referralCode}`);
    expect(page.status).toBe(200);
    expect(page.html).not.toContain('<img src=x');
    expect(page.html).not.toContain('<script>x()');
    expect(page.html).toContain('&lt;img src=x onerror=alert(1)&gt;&quot;&#39;&amp;');
    expect(page.html).toContain('&lt;/p&gt;&lt;script&gt;x()&lt;/script&gt; invited you');
  });

  it('a filled honeypot gets the thank-you page and records nothing', async () => {
    const { program, member } = await offerProgram();
    const browser = pages.browser();
    const page = await browser.get(`/p/${program.slug}?ref=${member.referralCode}`);
    expect(page.html).toMatch(
      /<div class="hp" aria-hidden="true">.*<input id="f-website" name="website" type="text" tabindex="-1" autocomplete="off"/,
    );
    const robot = await browser.submit(page, { email: friend(), website: 'https://spam.example' });
    expect(robot.status).toBe(200);
    expect(robot.html).toContain('Thank you!');
    expect(await referralsOf(program.id)).toHaveLength(0);
  });
});

describe('CSRF', () => {
  it('refuses a form from another origin, without an origin, without or with a wrong token, or with another browser’s token (403, nothing recorded)', async () => {
    const { program, member } = await offerProgram();
    const browser = pages.browser();
    const page = await browser.get(`/p/${program.slug}?ref=${member.referralCode}`);
    const fields = formsOf(page.html)[0]!.fields;
    const other = pages.browser();
    const otherToken = formsOf((await other.get(`/p/${program.slug}?ref=${member.referralCode}`)).html)[0]!.fields.csrf_token!;
    const { program: second } = await programWithMember(h, []);
    const secondToken = formsOf((await browser.get(`/p/${second.slug}`)).html)[0]!.fields.csrf_token!;

    const attempts: [string, Record<string, string>, Record<string, string>][] = [
      ['another origin', fields, { origin: 'https://evil.example' }],
      ['a cross-site fetch metadata and another origin', fields, { origin: 'https://evil.example', 'sec-fetch-site': 'cross-site' }],
      ['no token', { ...fields, csrf_token: '' }, {}],
      ['a forged token', { ...fields, csrf_token: 'A'.repeat(43) }, {}],
      ['another browser’s token', { ...fields, csrf_token: otherToken }, {}],
      ['another program’s token', { ...fields, csrf_token: secondToken }, {}],
    ];
    for (const [what, form, headers] of attempts) {
      const res = await browser.post(`/p/${program.slug}`, { ...form, email: friend() }, headers);
      expect(res.status, what).toBe(403);
      expect(res.html, what).toContain('This form has expired');
    }
    // No Origin header at all (a browser always sends one with a form POST).
    const bare = await fetch(`${pages.base}/p/${program.slug}`, {
      method: 'POST',
      headers: {
        'content-type': 'application/x-www-form-urlencoded',
        'x-forwarded-for': browser.ip,
        cookie: `rh_csrf=${browser.cookies.get('rh_csrf')}`,
      },
      body: new URLSearchParams({ ...fields, email: friend() }).toString(),
    });
    expect(bare.status).toBe(403);
    expect(await referralsOf(program.id)).toHaveLength(0);

    // The genuine form still works.
    expect((await browser.submit(page, { email: friend() })).status).toBe(200);
    expect(await referralsOf(program.id)).toHaveLength(1);
  });
});

describe('rate limit', () => {
  it(`answers form number ${HOSTED_POST_RATE_LIMIT + 1} in a minute from one address with a 429 page and Retry-After; other addresses go on`, async () => {
    const { program, member } = await offerProgram();
    const browser = pages.browser();
    const page = await browser.get(`/p/${program.slug}?ref=${member.referralCode}`);
    for (let i = 0; i < HOSTED_POST_RATE_LIMIT; i++) {
      // Honeypot submissions count like any other, and record nothing.
      expect((await browser.submit(page, { email: friend(), website: 'x' })).status).toBe(200);
    }
    const over = await browser.submit(page, { email: friend() });
    expect(over.status).toBe(429);
    const retryAfter = Number(over.headers.get('retry-after'));
    expect(retryAfter).toBeGreaterThanOrEqual(1);
    expect(retryAfter).toBeLessThanOrEqual(60);
    expect(over.html).toContain('One moment, please');
    expect(over.headers.get('content-security-policy')).toContain("default-src 'none'");
    expect(await referralsOf(program.id)).toHaveLength(0);

    // Reading pages is not limited, and another address is not held back.
    expect((await browser.get(`/p/${program.slug}?ref=${member.referralCode}`)).status).toBe(200);
    const neighbour = pages.browser();
    const theirs = await neighbour.get(`/p/${program.slug}?ref=${member.referralCode}`);
    expect((await neighbour.submit(theirs, { email: friend() })).status).toBe(200);
    expect(await referralsOf(program.id)).toHaveLength(1);
  });
});
