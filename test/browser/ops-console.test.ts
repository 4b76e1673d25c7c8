import { randomBytes } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchBrowser } from '../support/browser.js';
import { startBrowserHub, withPage, type BrowserHub } from '../support/browser-hub.js';
import { waitFor, type Harness } from '../support/hub-harness.js';
import { startLocalReceiver, type LocalReceiver } from '../support/start-local-receiver.js';
import { startSftpTestServer, type SftpTestServer } from '../support/sftp-test-server.js';
import { createUserService } from '../../hub/console/user-service.js';
import { CONSOLE_NAV } from '../../ui/console/console-nav.js';

/**
 * The ops console in Chromium against the real hub (Postgres, Temporal, a webhook receiver and an
 * SFTP server on loopback): what an ops person does on their first day, as admin and as viewer.
 * With SCREENSHOTS=1 it also refreshes the README's screenshots in docs/screenshots.
 */
const ADMIN = { email: 'ops@acme.example', password: 'console admin passphrase' };
const VIEWER = { email: 'viewer@acme.example', password: 'console viewer passphrase' };
const SHOTS = process.env.SCREENSHOTS === '1' ? join(process.cwd(), 'docs', 'screenshots') : undefined;

let served: BrowserHub;
let h: Harness;
let hub: string;
let browser: Browser;
let receiver: LocalReceiver;
let sftp: SftpTestServer;
let evil: Server;
let evilUrl: string;
let programId: string;
let referralCode: string;
let webhookId: string;

beforeAll(async () => {
  served = await startBrowserHub();
  ({ h, url: hub } = served);
  receiver = await startLocalReceiver(() => ({ status: 204 }));
  sftp = await startSftpTestServer({ username: 'partner', password: 'sftp-pass-1' });
  mkdirSync(join(sftp.root, 'incoming'), { recursive: true });
  const users = createUserService(h.db.db);
  await users.create({ email: ADMIN.email, role: 'admin', name: 'Ops' }, ADMIN.password);
  await users.create({ email: VIEWER.email, role: 'viewer', name: 'Viewer' }, VIEWER.password);
  browser = await launchBrowser();
  // Another site, whose page posts a form to the console (a CSRF attempt).
  evil = createServer((req, res) => {
    res.setHeader('content-type', 'text/html');
    res.end(
      req.url?.startsWith('/attack')
        ? `<form id="f" method="post" action="${hub}/ui/programs/${decodeURIComponent(req.url.split('=')[1] ?? '')}">
           <input name="name" value="Hijacked"></form><script>document.getElementById('f').submit()</script>`
        : 'ok',
    );
  });
  await new Promise<void>((resolve) => evil.listen(0, '127.0.0.1', resolve));
  evilUrl = `http://evil.localhost:${(evil.address() as AddressInfo).port}`;
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await new Promise<void>((resolve) => (evil ? evil.close(() => resolve()) : resolve()));
  await sftp?.close();
  await receiver?.close();
  await served?.close();
});

async function signIn(page: Page, who: { email: string; password: string }) {
  await page.goto(`${hub}/ui`);
  await expect.poll(() => new URL(page.url()).pathname).toBe('/login');
  await page.getByLabel('Email').fill(who.email);
  await page.getByLabel('Password').fill(who.password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.waitForURL(`${hub}/ui`);
}

async function shot(page: Page, name: string) {
  if (!SHOTS) return;
  mkdirSync(SHOTS, { recursive: true });
  await page.setViewportSize({ width: 1100, height: 720 });
  await page.screenshot({ path: join(SHOTS, `${name}.png`) });
}

describe('the ops console in a browser', () => {
  it('sends a signed-out browser to /login from every page, throttles a wrong password, and sets the session cookie as specified', async () => {
    await withPage(browser, async (page) => {
      for (const item of CONSOLE_NAV) {
        await page.goto(`${hub}${item.href}`);
        expect(new URL(page.url()).pathname, item.href).toBe('/login');
      }
      await shot(page, 'sign-in');
      for (let i = 0; i < 4; i++) {
        await page.getByLabel('Email').fill(ADMIN.email);
        await page.getByLabel('Password').fill('not the password');
        await page.getByRole('button', { name: 'Sign in' }).click();
        await page.waitForLoadState();
      }
      await expect.poll(() => page.getByRole('alert').textContent()).toContain('Too many attempts');
    });
    // The account's wait would slow the rest of this file; a successful sign-in also clears it.
    await h.db.sql`delete from login_throttle`;
    await withPage(browser, async (page) => {
      await signIn(page, ADMIN);
      const [cookie] = (await page.context().cookies()).filter((c) => c.name === 'rh_session');
      expect(cookie).toMatchObject({ httpOnly: true, sameSite: 'Lax', secure: false, path: '/' });
      expect(cookie!.expires).toBe(-1);
    });
  }, 120_000);

  it('lets an admin create a program with a held reward rule and a rule awaiting approval', async () => {
    await withPage(browser, async (page) => {
      await signIn(page, ADMIN);
      await page.getByRole('link', { name: 'Programs', exact: true }).click();
      await page.getByRole('link', { name: /New program/ }).click();
      await page.getByLabel('Name', { exact: true }).fill('Acme Friends');
      await page.getByLabel('Slug').fill('acme-friends');
      await page.getByLabel('Landing URL').fill('https://acme.example/welcome');
      const rule = page.getByRole('group', { name: 'New reward rule' });
      await rule.getByLabel('Rule name').fill('Referrer bonus');
      await rule.getByLabel('Trigger').fill('conversion');
      await rule.getByLabel('Recipient').selectOption('member');
      await rule.getByLabel('Amount', { exact: true }).fill('10');
      await rule.getByLabel('Hold (days)').fill('14');
      await page.getByRole('button', { name: 'Create program' }).click();
      await page.waitForURL(/\/ui\/programs\/prg_/);
      programId = new URL(page.url()).pathname.split('/').pop()!;
      const second = page.getByRole('group', { name: 'New reward rule' });
      await second.getByLabel('Rule name').fill('Friend gift');
      await second.getByLabel('Trigger').fill('conversion');
      await second.getByLabel('Recipient').selectOption('referral');
      await second.getByLabel('Amount', { exact: true }).fill('5');
      await second.getByLabel('Approval').selectOption('manual');
      await page.getByRole('button', { name: 'Save' }).click();
      await page.waitForLoadState();
      await shot(page, 'program');
    });
    const rules = await h.db.sql<{ name: string; hold: string | null; approval: string }[]>`
      select name, hold, approval from reward_rules where program_id = ${programId} and active order by position`;
    expect(rules).toEqual([
      expect.objectContaining({ name: 'Referrer bonus', hold: '14d' }),
      expect.objectContaining({ name: 'Friend gift', approval: 'manual' }),
    ]);
    const member = await h.call('POST', '/api/v1/members', { programId, email: 'ann@acme.example', firstName: 'Ann' });
    expect(member.status).toBe(201);
    referralCode = member.body.referralCode;
  }, 120_000);

  it('creates a webhook connector through the generated form with a value map and its live preview, then follows a delivery through failure and retry', async () => {
    await withPage(browser, async (page) => {
      await signIn(page, ADMIN);
      await page.getByRole('link', { name: 'Connectors', exact: true }).click();
      await page.getByRole('link', { name: 'New connector' }).click();
      await page.getByRole('link', { name: 'Webhook (Standard Webhooks)' }).click();
      await page.getByLabel('Name', { exact: true }).fill('Partner CRM');
      await page.getByLabel('URL', { exact: true }).fill(`${receiver.url}/crm`);
      await page.getByLabel('Signing secret', { exact: true }).fill(`whsec_${randomBytes(32).toString('base64')}`);
      await page.getByLabel('Acme Friends').check();
      await shot(page, 'connector-form');
      await page.getByRole('button', { name: 'Create connector' }).click();
      await expect.poll(() => page.getByRole('status').textContent()).toContain('Connector created');
      webhookId = /\/ui\/connectors\/(con_[^/?#]+)/.exec(page.url())![1]!;

      // A record for the preview, delivered to the receiver as it happens.
      expect((await h.call('POST', '/api/v1/conversions', { programId, referralCode, email: 'bob@friends.example' })).status).toBe(201);
      await page.getByRole('link', { name: 'Field mapping and preview' }).click();
      const row = page.getByRole('group', { name: 'Field 1' });
      await row.getByLabel('Target').fill('stage');
      await row.getByLabel('Source path').fill('referral.status');
      await row.getByLabel('Value map').fill('pending = Lead');
      // htmx refreshes the preview as the map is typed; no button pressed.
      await expect.poll(() => page.locator('#mapping-preview').textContent(), { timeout: 15_000 }).toContain('"stage": "Lead"');
      await shot(page, 'mapping');
      await page.getByRole('button', { name: 'Save mapping' }).click();
      await expect.poll(() => page.getByRole('status').textContent()).toContain('Mapping saved');

      const deliveries = `${hub}/ui/connectors/${webhookId}/deliveries`;
      const reloadUntil = async (text: string, scope = 'tbody') =>
        expect
          .poll(
            async () => {
              await page.goto(deliveries);
              return page.locator(scope).first().textContent();
            },
            { timeout: 60_000, interval: 1000 },
          )
          .toContain(text);
      await reloadUntil('succeeded');

      // The receiver starts refusing: the next conversion's delivery fails, visibly.
      receiver.reply = () => ({ status: 400, body: 'no such pipeline' });
      expect((await h.call('POST', '/api/v1/conversions', { programId, referralCode, email: 'eve@friends.example' })).status).toBe(201);
      await reloadUntil('HTTP 400');
      const failed = page.locator('tr', { hasText: 'HTTP 400' }).first();
      const failedId = (await failed.getAttribute('id'))!;
      await shot(page, 'deliveries');
      receiver.reply = () => ({ status: 204 });
      await failed.getByRole('button', { name: 'Retry' }).click();
      await expect.poll(() => page.getByRole('status').textContent()).toContain('queued');
      await reloadUntil('succeeded', `#${failedId}`);
    });
    // The receiver got the mapped record: the value map turned the status into the CRM's stage.
    expect(receiver.requests.some((r) => r.body.includes('"stage":"Lead"'))).toBe(true);
  }, 180_000);

  it('creates a schedule to the SFTP server, runs it, and shows the run', async () => {
    const connector = await h.call('POST', '/api/v1/connectors', {
      kind: 'sftp',
      name: 'Partner SFTP',
      settings: { host: '127.0.0.1', port: sftp.port, username: 'partner', directory: '/incoming', hostKeySha256: sftp.hostKeySha256 },
      secrets: { password: 'sftp-pass-1' },
      programIds: [programId],
    });
    expect(connector.status, JSON.stringify(connector.body)).toBe(201);
    expect((await h.call('POST', '/api/v1/conversions', { programId, referralCode, email: 'sam@friends.example' })).status).toBe(201);
    await withPage(browser, async (page) => {
      await signIn(page, ADMIN);
      await page.getByRole('link', { name: 'Schedules', exact: true }).click();
      await page.getByRole('link', { name: 'New schedule' }).click();
      await page.getByLabel('Name', { exact: true }).fill('Nightly referrals');
      await page.getByLabel('Destination').selectOption({ label: 'Partner SFTP (sftp)' });
      await page.getByRole('button', { name: 'Create schedule' }).click();
      await page.waitForURL(/\/ui\/schedules\/sch_/);
      await page.getByRole('button', { name: 'Run now' }).click();
      await page.waitForLoadState();
      await expect
        .poll(
          async () => {
            await page.reload();
            return page.locator('table').last().textContent();
          },
          { timeout: 60_000, interval: 1000 },
        )
        .toContain('succeeded');
      await shot(page, 'schedule');
    });
  }, 120_000);

  it('approves a pending reward from the queue', async () => {
    const conversion = await h.call('POST', '/api/v1/conversions', { programId, referralCode, email: 'dora@friends.example' });
    expect(conversion.status).toBe(201);
    const rewardId = await waitFor(
      async () =>
        (await h.db.sql<{ id: string }[]>`select id from rewards where referral_id = ${conversion.body.id} and status = 'pending'`)[0]?.id,
      30_000,
      'a reward awaiting approval',
    );
    await withPage(browser, async (page) => {
      await signIn(page, ADMIN);
      await page.getByRole('link', { name: 'Rewards', exact: true }).click();
      await shot(page, 'rewards');
      const row = page.locator('tr', { hasText: rewardId });
      await row.getByRole('button', { name: 'Approve', exact: true }).click();
      await page.waitForLoadState();
      await expect.poll(() => page.getByRole('status').textContent()).toContain('Approved');
      await page.goto(`${hub}/ui`);
      await shot(page, 'dashboard');
    });
    const [reward] = await h.db.sql<
      { status: string }[]
    >`select status from rewards where referral_id = ${conversion.body.id} and recipient = 'referral'`;
    expect(reward!.status).not.toBe('pending');
    const [event] = await h.db.sql<{ actor: { type: string; name: string } }[]>`
      select actor from events where type = 'reward.approved' and program_id = ${programId} order by seq desc limit 1`;
    expect(event!.actor).toMatchObject({ type: 'user', name: ADMIN.email });
  }, 120_000);

  it('refuses a cross-site form post', async () => {
    await withPage(browser, async (page) => {
      await signIn(page, ADMIN);
      await page.goto(`${evilUrl}/attack?id=${programId}`);
      await page.waitForLoadState('networkidle');
      expect(new URL(page.url()).host).toBe(new URL(hub).host);
    });
    const [program] = await h.db.sql<{ name: string }[]>`select name from programs where id = ${programId}`;
    expect(program!.name).toBe('Acme Friends');
  }, 60_000);

  it('shows a viewer no control that changes anything, and answers 403 to a post anyway', async () => {
    await withPage(browser, async (page) => {
      await signIn(page, VIEWER);
      const [schedule] = await h.db.sql<{ id: string }[]>`select id from schedules limit 1`;
      for (const path of [
        '/ui',
        '/ui/programs',
        `/ui/programs/${programId}`,
        '/ui/rewards?status=all',
        '/ui/connectors',
        `/ui/schedules/${schedule!.id}`,
        '/ui/payouts',
        '/ui/members',
      ]) {
        await page.goto(`${hub}${path}`);
        // The only form that posts is signing out.
        const forms = await page.locator('form[method="post"]').evaluateAll((fs) => fs.map((f) => f.getAttribute('action')));
        expect(forms, path).toEqual(['/logout']);
      }
      const token = await page.locator('input[name="_csrf"]').first().inputValue();
      // From the page itself, so the request carries the viewer's session like a form would.
      const status = await page.evaluate(
        async ([url, csrf]) =>
          (await fetch(url!, { method: 'POST', body: new URLSearchParams({ _csrf: csrf!, name: 'Viewer was here' }) })).status,
        [`${hub}/ui/programs/${programId}`, token],
      );
      expect(status).toBe(403);
    });
    const [program] = await h.db.sql<{ name: string }[]>`select name from programs where id = ${programId}`;
    expect(program!.name).toBe('Acme Friends');
  }, 120_000);
});
