import { createHash } from 'node:crypto';
import { once } from 'node:events';
import { createServer, type AddressInfo, type Socket } from 'node:net';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { LOGIN_EMAILS_PER_DAY } from '../../hub/services/portal-login-service.js';
import { programWithMember } from '../support/fixtures.js';
import { createHarness, waitFor, type Harness } from '../support/hub-harness.js';
import { formsOf, servePages, type PageBrowser } from '../support/page-browser.js';
import { startSmtpTestServer, type SmtpTestServer } from '../support/smtp-test-server.js';

let h: Harness;
let smtp: SmtpTestServer;
let pages: Awaited<ReturnType<typeof servePages>>;
let n = 0;
const unique = (prefix: string) => `${prefix}-${Date.now().toString(36)}${(n++).toString(36)}`;
const CHROME = 'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0.0.0 Safari/537.36';

beforeAll(async () => {
  smtp = await startSmtpTestServer();
  h = await createHarness({ trustedProxies: ['127.0.0.0/8'] });
  pages = await servePages(h);
});
afterAll(async () => {
  await pages?.close();
  await h?.close();
  await smtp?.close();
});
beforeEach(() => {
  smtp.messages.length = 0;
});

/** A program whose share emails go through the test SMTP server, and a member of it. */
async function programWithMail(extra: Record<string, unknown> = {}) {
  const { program, member } = await programWithMember(h, [], extra);
  const connector = await h.call('POST', '/api/v1/connectors', {
    kind: 'email',
    name: unique('mail'),
    settings: { host: '127.0.0.1', port: smtp.port, from: 'rewards@acme.example', to: ['ops@acme.example'], caCertificate: smtp.caPem },
    secrets: {},
    programIds: [program.id],
  });
  expect(connector.status, JSON.stringify(connector.body)).toBe(201);
  const patched = await h.call('PATCH', `/api/v1/programs/${program.id}`, { share: { emailConnectorId: connector.body.id } });
  expect(patched.status, JSON.stringify(patched.body)).toBe(200);
  return { program, member };
}

/** The sign-in link in the message sent to `to` (quoted-printable undone). */
async function emailedLink(to: string): Promise<string> {
  const message = await waitFor(async () => smtp.messages.find((m) => m.rcptTo.includes(to.toLowerCase())), 10_000, `email to ${to}`);
  const text = message.raw
    .toString('latin1')
    .replace(/=\r\n/g, '')
    .replace(/=([0-9A-F]{2})/g, (_m, hex: string) => String.fromCharCode(parseInt(hex, 16)));
  return /http:\/\/hub\.test(\/p\/[a-z0-9-]+\/portal\/login\?token=[\w-]{43})/.exec(text)![1]!;
}

async function requestLink(browser: PageBrowser, slug: string, email: string) {
  return browser.submit(await browser.get(`/p/${slug}/portal`), { email }, `/p/${slug}/login`);
}

/** Asks for a link as a member, follows it and presses the button: the browser is signed in. */
async function signIn(browser: PageBrowser, slug: string, email: string) {
  await requestLink(browser, slug, email);
  const confirm = await browser.get(await emailedLink(email));
  expect(confirm.status).toBe(200);
  const signedIn = await browser.submit(confirm, {}, `/p/${slug}/portal/login`);
  expect(signedIn.status).toBe(303);
  return signedIn;
}

const shareEmailsOf = (memberId: string) =>
  h.db
    .sql`select email, kind, status, reason, idempotency_key, details from share_emails where member_id = ${memberId} order by created_at`;

describe('sign-in by emailed link', () => {
  it('emails a member a single-use link (only its hash stored, 15 minutes) that signs in once; the portal shows their link, clicks, masked referrals, rewards and payouts', async () => {
    const rules = [
      { name: 'Referrer cash', trigger: 'conversion', recipient: 'member', amount: { type: 'fixed', value: 20 }, kind: 'cash' },
      { name: 'Friend coupon', trigger: 'conversion', recipient: 'referral', amount: { type: 'fixed', value: 7 }, kind: 'coupon' },
    ];
    const { program, member } = await programWithMail({ rewardRules: rules });
    const other = await h.call('POST', '/api/v1/members', {
      programId: program.id,
      email: `${unique('zed')}@acme-partners.test`,
      firstName: 'Zed',
    });
    for (const [code, email] of [
      [member.referralCode, 'bob@friendly.test'],
      [other.body.referralCode, 'zoe@elsewhere.test'],
    ]) {
      expect((await h.call('POST', '/api/v1/conversions', { programId: program.id, referralCode: code, email })).status).toBe(201);
    }
    const visitor = pages.browser();
    for (let i = 0; i < 3; i++) expect((await visitor.get(`/r/${member.referralCode}`, { 'user-agent': CHROME })).status).toBe(302);
    await waitFor(
      async () => {
        const [row] = await h.db.sql`select count(*)::int as n from payouts where program_id = ${program.id}`;
        return row!.n === 4;
      },
      30_000,
      'rewards and payouts of both referrals',
    );

    const browser = pages.browser();
    const signedOut = await browser.get(`/p/${program.slug}/portal`);
    expect(signedOut.status).toBe(200);
    expect(formsOf(signedOut.html)[0]!.action).toBe(`/p/${program.slug}/login`);

    const asked = await requestLink(browser, program.slug, member.email.toUpperCase());
    expect(asked.status).toBe(200);
    expect(asked.html).toContain('Check your inbox');
    const link = await emailedLink(member.email);
    const token = new URL(link, 'http://hub.test').searchParams.get('token')!;
    const [stored] = await h.db.sql`select token_hash, program_id, used_at, extract(epoch from expires_at - created_at)::float as ttl
      from portal_tokens where member_id = ${member.id}`;
    expect(stored).toMatchObject({ token_hash: createHash('sha256').update(token).digest('hex'), program_id: program.id, used_at: null });
    expect(stored!.ttl).toBeGreaterThan(14 * 60);
    expect(stored!.ttl).toBeLessThanOrEqual(15 * 60 + 1);
    // Recorded once the server has accepted the message, so possibly a moment after it arrived.
    const [logged] = await waitFor(
      async () => {
        const rows = await shareEmailsOf(member.id);
        return rows.length > 0 ? rows : undefined;
      },
      10_000,
      'the sign-in email in the ledger',
    );
    expect(logged).toMatchObject({ email: member.email.toLowerCase(), kind: 'login', status: 'sent', reason: null });
    expect(JSON.stringify(logged)).not.toContain(token);
    expect(smtp.messages[0]!.raw.toString()).toContain(`Subject: Your sign-in link for ${program.name}`);

    // Opening the link (a mail scanner does too) uses nothing; the button does.
    const confirm = await browser.get(link);
    expect(confirm.status).toBe(200);
    expect(confirm.headers.get('referrer-policy')).toBe('no-referrer');
    expect((await h.db.sql`select used_at from portal_tokens where member_id = ${member.id}`)[0]!.used_at).toBeNull();
    const signedIn = await browser.submit(confirm, {}, `/p/${program.slug}/portal/login`);
    expect(signedIn.status).toBe(303);
    expect(signedIn.headers.get('location')).toBe(`/p/${program.slug}/portal`);
    const session = signedIn.headers.getSetCookie().find((c) => c.startsWith(`rh_portal_${program.id}=`))!;
    for (const attribute of ['Max-Age=604800', 'Path=/', 'HttpOnly', 'SameSite=Lax']) expect(session).toContain(attribute);

    const portal = await browser.get(`/p/${program.slug}/portal`);
    expect(portal.status).toBe(200);
    expect(portal.html).toContain('<h1>Hi Ann</h1>');
    expect(portal.html).toContain(`value="http://hub.test/r/${member.referralCode}"`);
    expect(portal.html).toContain('<h2>Clicks on your link</h2><p class="stat">3</p>');
    expect(portal.html).toContain('<td>b***@f***.test</td><td>pending</td>');
    expect(portal.html).toContain('<td>$20.00</td><td>cash</td><td>approved</td>');
    expect(portal.html).toContain('<td>$20.00</td><td>waiting provider</td>');
    // Nothing of the other member, nor the friend's own reward and payout.
    expect(portal.html).not.toContain('bob@friendly.test');
    expect(portal.html).not.toContain('z***@e***.test');
    expect(portal.html).not.toContain('$7.00');
    expect(portal.html.match(/<td>\$20\.00<\/td>/g)).toHaveLength(2);

    // The same link again, by the button or by opening it, does not sign anyone in.
    const again = pages.browser();
    const reused = await again.post(`/p/${program.slug}/portal/login`, {
      ...formsOf(confirm.html)[0]!.fields,
      csrf_token: formsOf((await again.get(`/p/${program.slug}/portal`)).html)[0]!.fields.csrf_token!,
    });
    expect(reused.status).toBe(410);
    expect(reused.html).toContain('This sign-in link no longer works');
    expect(reused.headers.getSetCookie().some((c) => c.startsWith('rh_portal_'))).toBe(false);
    expect((await again.get(link)).status).toBe(410);
    expect((await again.get(`/p/${program.slug}/portal`)).html).toContain('Email me a sign-in link');
  });

  it('an expired link does not sign in', async () => {
    const { program, member } = await programWithMail();
    const browser = pages.browser();
    await requestLink(browser, program.slug, member.email);
    const link = await emailedLink(member.email);
    const confirm = await browser.get(link);
    await h.db.sql`update portal_tokens set expires_at = now() - interval '1 second' where member_id = ${member.id}`;

    expect((await browser.get(link)).status).toBe(410);
    const late = await browser.submit(confirm, {}, `/p/${program.slug}/portal/login`);
    expect(late.status).toBe(410);
    expect(late.html).toContain('has been used already or has expired');
    expect((await browser.get(`/p/${program.slug}/portal`)).html).toContain('Email me a sign-in link');
  });

  it('signs out with a POST carrying the form token', async () => {
    const { program, member } = await programWithMail();
    const browser = pages.browser();
    await signIn(browser, program.slug, member.email);
    const portal = await browser.get(`/p/${program.slug}/portal`);
    expect(portal.html).toContain('Sign out');

    const forged = await browser.post(`/p/${program.slug}/logout`, { csrf_token: 'A'.repeat(43) });
    expect(forged.status).toBe(403);
    expect((await browser.get(`/p/${program.slug}/portal`)).html).toContain('<h1>Hi Ann</h1>');

    const out = await browser.submit(portal, {}, `/p/${program.slug}/logout`);
    expect(out.status).toBe(303);
    expect(out.headers.getSetCookie().find((c) => c.startsWith(`rh_portal_${program.id}=`))).toContain('Max-Age=0');
    expect((await browser.get(`/p/${program.slug}/portal`)).html).toContain('Email me a sign-in link');
  });
});

describe('the sign-in request never tells who is a member', () => {
  it('answers a member and a stranger with the same page, and emails only the member', async () => {
    const { program, member } = await programWithMail();
    const stranger = `${unique('nobody')}@example.com`;
    const answers = [];
    for (const email of [member.email, stranger]) {
      const browser = pages.browser();
      const page = await browser.get(`/p/${program.slug}/portal`);
      const answer = await browser.submit(page, { email }, `/p/${program.slug}/login`);
      answers.push({ status: answer.status, html: answer.html, cookies: answer.headers.getSetCookie() });
    }
    expect(answers[0]!.status).toBe(200);
    expect(answers[1]).toEqual(answers[0]);

    await emailedLink(member.email);
    await new Promise((r) => setTimeout(r, 1000));
    expect(smtp.messages.flatMap((m) => m.rcptTo)).toEqual([member.email.toLowerCase()]);
    expect(await h.db.sql`select email from share_emails where program_id = ${program.id}`).toEqual([
      { email: member.email.toLowerCase() },
    ]);
  });

  it('answers at once while the mail server stalls (the send runs after the answer), and records a send that failed', async () => {
    // Accepts connections and never greets: an SMTP exchange with it hangs until the socket dies.
    const sockets: Socket[] = [];
    const silent = createServer((socket) => void sockets.push(socket));
    silent.listen(0, '127.0.0.1');
    await once(silent, 'listening');
    try {
      const { program, member } = await programWithMember(h, []);
      const connector = await h.call('POST', '/api/v1/connectors', {
        kind: 'email',
        name: unique('stalled'),
        settings: { host: '127.0.0.1', port: (silent.address() as AddressInfo).port, from: 'a@acme.example', to: ['b@acme.example'] },
        secrets: {},
        programIds: [program.id],
      });
      await h.call('PATCH', `/api/v1/programs/${program.id}`, { share: { emailConnectorId: connector.body.id } });
      const browser = pages.browser();
      const page = await browser.get(`/p/${program.slug}/portal`);
      const started = performance.now();
      const answer = await browser.submit(page, { email: member.email }, `/p/${program.slug}/login`);
      expect(performance.now() - started).toBeLessThan(1500);
      expect(answer.html).toContain('Check your inbox');
      await waitFor(async () => sockets.length > 0, 5_000, 'the connection to the stalled server');
      for (const socket of sockets) socket.destroy();
      const [failed] = await waitFor(
        async () => {
          const rows = await shareEmailsOf(member.id);
          return rows.length > 0 ? rows : undefined;
        },
        10_000,
        'the failed send in the ledger',
      );
      expect(failed).toMatchObject({ kind: 'login', status: 'failed' });
      expect(failed!.details.error).toBeTruthy();
    } finally {
      silent.close();
    }
  });

  it('skips, with the reason recorded, a suppressed address, a program without an email connector and a member over the daily limit', async () => {
    const suppressed = await programWithMail();
    await h.db
      .sql`insert into email_suppressions (program_id, email) values (${suppressed.program.id}, ${suppressed.member.email.toLowerCase()})`;
    const noConnector = await programWithMember(h, []);
    const busy = await programWithMail();
    for (let i = 0; i < LOGIN_EMAILS_PER_DAY; i++) {
      await h.db.sql`insert into share_emails (id, program_id, member_id, email, kind, status)
        values (${unique('sem')}, ${busy.program.id}, ${busy.member.id}, ${busy.member.email}, 'login', 'sent')`;
    }

    for (const [{ program, member }, reason] of [
      [suppressed, 'suppressed'],
      [noConnector, 'no_email_connector'],
      [busy, 'daily_limit'],
    ] as const) {
      const answer = await requestLink(pages.browser(), program.slug, member.email);
      expect(answer.status).toBe(200);
      expect(answer.html).toContain('Check your inbox');
      const rows = await waitFor(
        async () => {
          const found = (await shareEmailsOf(member.id)).filter((r) => r.status === 'skipped');
          return found.length > 0 ? found : undefined;
        },
        10_000,
        `skipped ${reason}`,
      );
      expect(rows).toEqual([expect.objectContaining({ kind: 'login', status: 'skipped', reason })]);
      expect(await h.db.sql`select id from portal_tokens where member_id = ${member.id}`).toEqual([]);
    }
    expect(smtp.messages).toEqual([]);
  });

  it('a filled honeypot gets the same page and sends nothing; a malformed address is a 422 with the message by the field', async () => {
    const { program, member } = await programWithMail();
    const browser = pages.browser();
    const robot = await browser.submit(
      await browser.get(`/p/${program.slug}/portal`),
      { email: member.email, website: 'x' },
      `/p/${program.slug}/login`,
    );
    expect(robot.status).toBe(200);
    expect(robot.html).toContain('Check your inbox');
    const bad = await browser.submit(await browser.get(`/p/${program.slug}/portal`), { email: 'ann@' }, `/p/${program.slug}/login`);
    expect(bad.status).toBe(422);
    expect(bad.html).toContain('aria-describedby="f-email-error"');
    await new Promise((r) => setTimeout(r, 1000));
    expect(smtp.messages).toEqual([]);
    expect(await shareEmailsOf(member.id)).toEqual([]);
  });
});

describe('portal isolation', () => {
  it('a session, a token or a cookie of one program or member never shows another', async () => {
    const a = await programWithMail();
    // The same person is a member of program B too.
    const b = await programWithMail();
    const bTwin = await h.call('POST', '/api/v1/members', { programId: b.program.id, email: a.member.email, firstName: 'Annabel' });
    expect(bTwin.status).toBe(201);
    const a2 = await h.call('POST', '/api/v1/members', {
      programId: a.program.id,
      email: `${unique('al')}@acme-partners.test`,
      firstName: 'Al',
    });

    const browser = pages.browser();
    await signIn(browser, a.program.slug, a.member.email);
    expect((await browser.get(`/p/${a.program.slug}/portal`)).html).toContain('<h1>Hi Ann</h1>');
    // Signed in to A is not signed in to B.
    const onB = await browser.get(`/p/${b.program.slug}/portal`);
    expect(onB.html).toContain('Email me a sign-in link');
    expect(onB.html).not.toContain('Annabel');

    // A's signed cookie under B's name is refused: the program is inside the signed value.
    const aCookie = browser.cookies.get(`rh_portal_${a.program.id}`)!;
    const thief = pages.browser();
    thief.cookies.set(`rh_portal_${b.program.id}`, aCookie);
    expect((await thief.get(`/p/${b.program.slug}/portal`)).html).toContain('Email me a sign-in link');
    // Another member's id in the value breaks the signature.
    const [value, signature] = decodeURIComponent(aCookie).split(/\.(?=[^.]+$)/);
    const forged = encodeURIComponent(`${value!.replace(a.member.id, a2.body.id)}.${signature}`);
    thief.cookies.set(`rh_portal_${a.program.id}`, forged);
    const forgedPage = await thief.get(`/p/${a.program.slug}/portal`);
    expect(forgedPage.html).toContain('Email me a sign-in link');
    expect(forgedPage.html).not.toContain('Hi Al');

    // A link for program A does nothing on program B, and stays good for A.
    smtp.messages.length = 0;
    const other = pages.browser();
    await requestLink(other, a.program.slug, a.member.email);
    const link = await emailedLink(a.member.email);
    const onOtherProgram = link.replace(`/p/${a.program.slug}/`, `/p/${b.program.slug}/`);
    expect((await other.get(onOtherProgram)).status).toBe(410);
    const confirmB = formsOf((await other.get(`/p/${b.program.slug}/portal`)).html)[0]!;
    const token = new URL(link, 'http://hub.test').searchParams.get('token')!;
    expect((await other.post(`/p/${b.program.slug}/portal/login`, { csrf_token: confirmB.fields.csrf_token!, token })).status).toBe(410);
    expect((await other.get(`/p/${b.program.slug}/portal`)).html).toContain('Email me a sign-in link');
    const confirmA = await other.get(link);
    expect((await other.submit(confirmA, {}, `/p/${a.program.slug}/portal/login`)).status).toBe(303);
    expect((await other.get(`/p/${a.program.slug}/portal`)).html).toContain('<h1>Hi Ann</h1>');

    // A member deleted since signing in is signed out.
    expect((await h.call('DELETE', `/api/v1/members/${a.member.id}`)).status).toBe(204);
    const gone = await other.get(`/p/${a.program.slug}/portal`);
    expect(gone.html).toContain('Email me a sign-in link');
    expect(gone.headers.getSetCookie().find((c) => c.startsWith(`rh_portal_${a.program.id}=`))).toContain('Max-Age=0');
  });
});

describe('behind https', () => {
  it('names the form and session cookies __Host- and marks them Secure', async () => {
    const secure = await createHarness({ worker: false, publicUrl: 'https://hub.test', trustedProxies: ['127.0.0.0/8'] });
    const server = await servePages(secure);
    try {
      const { program, member } = await programWithMember(secure, []);
      const browser = server.browser();
      const page = await browser.get(`/p/${program.slug}/portal`);
      const csrfCookie = page.headers.getSetCookie().find((c) => c.startsWith('__Host-rh_csrf='))!;
      for (const attribute of ['Path=/', 'Secure', 'HttpOnly', 'SameSite=Lax']) expect(csrfCookie).toContain(attribute);
      expect(csrfCookie).not.toContain('Domain=');
      expect(page.headers.get('strict-transport-security')).toContain('max-age=');
      // A token inserted directly stands in for the emailed one (no email connector here).
      const token = 'T'.repeat(43);
      await secure.db.sql`insert into portal_tokens (id, program_id, member_id, token_hash, expires_at)
        values (${unique('ptk')}, ${program.id}, ${member.id}, ${createHash('sha256').update(token).digest('hex')}, now() + interval '15 minutes')`;
      const confirm = await browser.get(`/p/${program.slug}/portal/login?token=${token}`);
      const signedIn = await browser.submit(confirm, {}, `/p/${program.slug}/portal/login`);
      expect(signedIn.status).toBe(303);
      const session = signedIn.headers.getSetCookie().find((c) => c.startsWith(`__Host-rh_portal_${program.id}=`))!;
      for (const attribute of ['Path=/', 'Secure', 'HttpOnly', 'SameSite=Lax']) expect(session).toContain(attribute);
      expect((await browser.get(`/p/${program.slug}/portal`)).html).toContain('<h1>Hi Ann</h1>');
    } finally {
      await server.close();
      await secure.close();
    }
  });
});
