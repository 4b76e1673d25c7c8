import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { launchBrowser } from '../support/browser.js';
import { programWithMember } from '../support/fixtures.js';
import { startBrowserHub, withPage, type BrowserHub } from '../support/browser-hub.js';
import { waitFor, type Harness } from '../support/hub-harness.js';
import { startMerchantSite, type MerchantSite } from '../support/merchant-site.js';

/**
 * referral.js in a real browser: a merchant's pages on one origin (shop.localhost), the hub on
 * another (hub.localhost), both on loopback. What a visitor does is what is tested: follow a
 * member's link, land on the shop, submit its form.
 */
let h: Harness;
let served: BrowserHub;
let hubUrl: string;
let shop: MerchantSite;
let browser: Browser;
let program: { id: string; publishableKey: string };
let member: { id: string; referralCode: string };

const SNIPPET = `<script>!function(w,n){w[n]=w[n]||function(){(w[n].q=w[n].q||[]).push(arguments)}}(window,'rh')</script>`;
const page = (head: string, body: string) =>
  `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Shop</title>${head}</head><body>${body}</body></html>`;
const FORM = `<form data-rh-form action="/thanks" method="get"><label>Email <input name="email" type="email"></label>
  <label>First name <input name="first_name"></label><button type="submit">Sign up</button></form>`;

beforeAll(async () => {
  served = await startBrowserHub();
  ({ h, url: hubUrl } = served);
  const script = (attrs: string) =>
    `${SNIPPET}<script async src="${attrs.includes('data-api') ? '/_rh' : hubUrl}/referral.js" ${attrs}></script>`;
  const pages: Record<string, string> = {};
  shop = await startMerchantSite(pages, served.loopbackUrl);
  const created = await programWithMember(
    h,
    [{ name: 'Referrer bonus', trigger: 'conversion', recipient: 'member', amount: { type: 'fixed', value: 10 }, kind: 'cash' }],
    { landingUrl: `${shop.url('shop.localhost')}/landing`, share: { allowedHostnames: ['shop.localhost'], webConversions: true } },
  );
  program = created.program;
  member = created.member;
  const key = program.publishableKey;
  pages['/landing'] = page(script(`data-key="${key}"`), `<h1>Welcome</h1>${FORM}<script>rh('attachForms')</script>`);
  pages['/proxied'] = page(script(`data-key="${key}" data-api="/_rh"`), `<h1>Welcome</h1>`);
  pages['/widget'] = page(script(`data-key="${key}"`), `<div id="share"></div><script>rh('widget', {target: '#share'})</script>`);
  pages['/thanks'] = page('', '<h1>Thanks</h1>');
  browser = await launchBrowser();
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await shop?.close();
  await served?.close();
});

async function referralOf(email: string) {
  return waitFor(
    async () => {
      const [row] = await h.db
        .sql`select id, member_id, source from referrals where program_id = ${program.id} and lower(email) = ${email}`;
      return row;
    },
    15_000,
    `a referral for ${email}`,
  );
}

it("a member's link lands on the shop with ref; referral.js keeps the code and the shop's form records an attributed conversion and its reward", async () => {
  await withPage(browser, async (p) => {
    await p.goto(`${hubUrl}/r/${member.referralCode}`);
    await p.waitForURL(/shop\.localhost.*\/landing\?ref=/);
    const kept = await p.waitForFunction(
      () =>
        new Promise((resolve) => (window as unknown as { rh: (...a: unknown[]) => void }).rh('getReferral', (r: unknown) => resolve(r))),
    );
    expect(await kept.jsonValue()).toEqual({ code: member.referralCode });
    const cookie = (await p.context().cookies()).find((c) => c.name === 'rh_ref' && c.domain === 'shop.localhost');
    expect(cookie?.value).toBe(member.referralCode);
    expect(cookie!.expires * 1000 - Date.now()).toBeGreaterThan(29 * 86_400_000);

    await p.fill('input[name=email]', 'bea@example.com');
    await p.fill('input[name=first_name]', 'Bea');
    await p.click('button[type=submit]');
    await p.waitForURL(/\/thanks/);
  });
  const referral = await referralOf('bea@example.com');
  expect(referral).toMatchObject({ member_id: member.id, source: 'web' });
  await waitFor(
    async () => (await h.call('GET', `/api/v1/rewards?referralId=${referral!.id}`)).body.data.length === 1,
    20_000,
    'the conversion’s reward',
  );
});

it('proxy mode: the script calls the shop’s own /_rh path and the referral cookie is set by the server’s answer', async () => {
  await withPage(browser, async (p) => {
    const clickAnswer = p.waitForResponse((r) => r.url().endsWith('/_rh/api/v1/track/click'));
    await p.goto(`${shop.url('shop.localhost')}/proxied?ref=${member.referralCode}`);
    const answer = await clickAnswer;
    expect(answer.status()).toBe(200);
    expect((await answer.allHeaders())['set-cookie']).toContain(`rh_ref=${member.referralCode}`);
    const converted = await p.evaluate(
      () =>
        new Promise((resolve) =>
          (window as unknown as { rh: (...a: unknown[]) => void }).rh('convert', { email: 'cal@example.com', firstName: 'Cal' }, resolve),
        ),
    );
    expect(converted).toMatchObject({ referralId: expect.stringMatching(/^ref_/) });
  });
  expect(shop.proxied).toEqual(
    expect.arrayContaining(['GET /_rh/referral.js', 'POST /_rh/api/v1/track/click', 'POST /_rh/api/v1/track/conversion']),
  );
  expect(await referralOf('cal@example.com')).toMatchObject({ member_id: member.id, source: 'web' });
});

it('a page on a hostname the program does not allow cannot record a conversion (CORS and 403)', async () => {
  const outcomes: string[] = [];
  await withPage(browser, async (p) => {
    // The hub's 403 carries no CORS header, so the page never reads it: the browser reports the request failed.
    p.on('response', (r) => {
      if (r.url().includes('/api/v1/track/')) outcomes.push(`answered ${r.status()}`);
    });
    p.on('requestfailed', (r) => {
      if (r.url().includes('/api/v1/track/')) outcomes.push('blocked');
    });
    await p.goto(`${shop.url('evil.localhost')}/landing?ref=${member.referralCode}`);
    const result = await p.evaluate(
      () =>
        new Promise((resolve) =>
          (window as unknown as { rh: (...a: unknown[]) => void }).rh('convert', { email: 'eve@example.com' }, resolve),
        ),
    );
    expect(result).toMatchObject({ error: expect.any(String) });
  });
  expect(outcomes.length).toBeGreaterThan(0);
  expect(outcomes.every((o) => o === 'blocked' || o === 'answered 403')).toBe(true);
  const rows = await h.db.sql`select 1 from referrals where lower(email) = 'eve@example.com'`;
  expect(rows).toHaveLength(0);
});

it('the widget enrols a new member by email and shows their link with copy and share buttons', async () => {
  await withPage(browser, async (p) => {
    await p.goto(`${shop.url('shop.localhost')}/widget`);
    await p.getByLabel('Your email').fill('dan@example.com');
    await p.getByRole('button', { name: 'Get my referral link' }).click();
    const link = p.getByLabel('Your referral link');
    await link.waitFor();
    const url = await link.inputValue();
    expect(url).toMatch(new RegExp(`^${hubUrl}/r/[A-Za-z0-9]+$`));
    await expect(p.getByRole('button', { name: 'Copy link' }).isVisible()).resolves.toBe(true);
    await expect(p.getByRole('link', { name: 'WhatsApp' }).getAttribute('href')).resolves.toContain(encodeURIComponent(url));
    const [row] = await h.db.sql`select referral_code from members where program_id = ${program.id} and lower(email) = 'dan@example.com'`;
    expect(url.endsWith(`/r/${row!.referral_code}`)).toBe(true);
  });
});
