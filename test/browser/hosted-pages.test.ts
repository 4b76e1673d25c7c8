import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { launchBrowser } from '../support/browser.js';
import { startBrowserHub, withPage, type BrowserHub } from '../support/browser-hub.js';
import { waitFor, type Harness } from '../support/hub-harness.js';
import { startSmtpTestServer, type SmtpTestServer } from '../support/smtp-test-server.js';

/** The hosted landing, join and portal pages in Chromium, against the real hub and a local SMTP server. */
let h: Harness;
let served: BrowserHub;
let hub: string;
let smtp: SmtpTestServer;
let browser: Browser;
let program: { id: string; slug: string };
let member: { id: string; email: string; referralCode: string };

beforeAll(async () => {
  served = await startBrowserHub();
  ({ h, url: hub } = served);
  smtp = await startSmtpTestServer();
  const slug = `hosted-${Date.now().toString(36)}`;
  const created = await h.call('POST', '/api/v1/programs', {
    name: 'Acme Rewards',
    slug,
    landingUrl: `${hub}/p/${slug}`,
    currency: 'USD',
    rewardRules: [
      { name: 'Referrer bonus', trigger: 'conversion', recipient: 'member', amount: { type: 'fixed', value: 10 }, kind: 'cash' },
    ],
    share: { offer: { headline: 'Give $10, get $20', friendOffer: '$10 off your first order' } },
  });
  expect(created.status, JSON.stringify(created.body)).toBe(201);
  program = created.body;
  const connector = await h.call('POST', '/api/v1/connectors', {
    kind: 'email',
    name: 'Share emails',
    settings: { host: '127.0.0.1', port: smtp.port, from: 'rewards@acme.example', to: ['ops@acme.example'], caCertificate: smtp.caPem },
    secrets: {},
    programIds: [program.id],
  });
  expect(connector.status, JSON.stringify(connector.body)).toBe(201);
  expect((await h.call('PATCH', `/api/v1/programs/${program.id}`, { share: { emailConnectorId: connector.body.id } })).status).toBe(200);
  const joined = await h.call('POST', '/api/v1/members', { programId: program.id, email: 'ann@acme-partners.example', firstName: 'Ann' });
  member = joined.body;
  browser = await launchBrowser();
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await smtp?.close();
  await served?.close();
});

it("the hosted landing page shows the offer and who invited the friend, and its form records the conversion and the member's reward", async () => {
  await withPage(browser, async (p) => {
    await p.goto(`${hub}/r/${member.referralCode}`);
    await p.waitForURL(new RegExp(`/p/${program.slug}\\?ref=`));
    await expect(p.getByRole('heading', { level: 1 }).textContent()).resolves.toBe('Give $10, get $20');
    await expect(p.getByText('Ann invited you').count()).resolves.toBeGreaterThan(0);
    await p.getByLabel('Email', { exact: true }).fill('fred@example.com');
    await p.getByLabel('First name (optional)').fill('Fred');
    await p.getByRole('button', { name: 'Claim my offer' }).click();
    await p.waitForLoadState();
    await expect(p.locator('body').textContent()).resolves.toMatch(/thank/i);
  });
  const [referral] = await h.db.sql`select id, member_id, source from referrals where lower(email) = 'fred@example.com'`;
  expect(referral).toMatchObject({ member_id: member.id, source: 'hosted' });
  await waitFor(
    async () => (await h.call('GET', `/api/v1/rewards?referralId=${referral!.id}`)).body.data.length === 1,
    20_000,
    'the reward',
  );
});

it('the join page signs a new member up and shows a share link that works', async () => {
  await withPage(browser, async (p) => {
    await p.goto(`${hub}/p/${program.slug}/join`);
    await p.getByLabel('Email', { exact: true }).fill('gia@example.com');
    await p.getByLabel('First name').fill('Gia');
    await p.getByRole('button', { name: 'Get my link' }).click();
    const link = await p.getByLabel('Your referral link').inputValue();
    expect(link).toMatch(new RegExp(`^${hub}/r/[A-Za-z0-9]+$`));
    await expect(p.getByRole('link', { name: /WhatsApp/ }).getAttribute('href')).resolves.toContain(encodeURIComponent(link));
    // Following the link counts a click for the new member and lands on the program's page with the code.
    await p.goto(link);
    await p.waitForURL(/\?ref=/);
    const [row] = await h.db.sql`select id, referral_code from members where lower(email) = 'gia@example.com'`;
    expect(p.url()).toContain(`ref=${row!.referral_code}`);
    await waitFor(async () => (await h.db.sql`select 1 from clicks where member_id = ${row!.id}`).length === 1, 10_000, 'the click');
  });
});

it('the portal signs a member in by a link emailed to them and shows their link and referrals', async () => {
  await withPage(browser, async (p) => {
    await p.goto(`${hub}/p/${program.slug}/portal`);
    await p.getByLabel('Email', { exact: true }).fill(member.email);
    await p.getByRole('button', { name: 'Email me a sign-in link' }).click();
    await expect(p.locator('body').textContent()).resolves.toMatch(/inbox/i);
    const message = await waitFor(async () => smtp.messages.find((m) => m.rcptTo.includes(member.email)), 15_000, 'the sign-in email');
    const text = message.raw
      .toString('latin1')
      .replace(/=\r\n/g, '')
      .replace(/=([0-9A-F]{2})/g, (_m, hex: string) => String.fromCharCode(parseInt(hex, 16)));
    const link = new RegExp(`${hub.replace(/[.]/g, '\\.')}/p/[a-z0-9-]+/portal/login\\?token=[\\w-]+`).exec(text)![0];
    await p.goto(link);
    await p.getByRole('button', { name: 'Sign in' }).click();
    await expect(p.getByRole('heading', { level: 1 }).textContent()).resolves.toBe('Hi Ann');
    await expect(p.getByLabel('Your referral link').inputValue()).resolves.toBe(`${hub}/r/${member.referralCode}`);
    await expect(p.getByRole('heading', { name: 'Referrals' }).isVisible()).resolves.toBe(true);
  });
});
