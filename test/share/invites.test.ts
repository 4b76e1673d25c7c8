import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { newId } from '../../lib/ids.js';
import { createLogger } from '../../lib/logger.js';
import { createShareEmailActivities } from '../../workflows/activities/create-share-email-activities.js';
import { createSecretBox } from '../../connectors/security/secret-box.js';
import { deriveSecretKey } from '../../lib/secret-key.js';
import { TEST_SECRET_KEY } from '../support/hub-harness.js';
import { createHarness, waitFor, type Harness } from '../support/hub-harness.js';
import { startSmtpTestServer, type SmtpTestServer } from '../support/smtp-test-server.js';
import { addMember, mailTo, shareProgram, unique, waitForMail } from './share-test-setup.js';

let h: Harness;
let smtp: SmtpTestServer;
let program: Awaited<ReturnType<typeof shareProgram>>;

beforeAll(async () => {
  h = await createHarness();
  smtp = await startSmtpTestServer();
  program = await shareProgram(h, smtp, { share: { invitesPerMemberPerDay: 3 } });
});
afterAll(async () => {
  await smtp?.close();
  await h?.close();
});
beforeEach(() => {
  smtp.messages.length = 0;
});

const friend = (name: string) => `${unique(name)}@friends.test`;
const invite = (memberId: string, body: unknown) => h.call('POST', `/api/v1/members/${memberId}/invites`, body);

async function rowsFor(email: string) {
  return h.db.sql<{ status: string; reason: string | null; kind: string; member_id: string }[]>`
    select status, reason, kind, member_id from share_emails where email = ${email} order by created_at, id`;
}

async function waitUntilSent(email: string, n = 1) {
  return waitFor(
    async () => {
      const rows = (await rowsFor(email)).filter((r) => r.status === 'sent');
      return rows.length >= n ? rows : undefined;
    },
    30_000,
    `${email} recorded as sent`,
  );
}

describe('invites', () => {
  it("arrive at the friend's inbox with the member's link, the offer, the escaped note and an unsubscribe link", async () => {
    const ann = await addMember(h, program.id, 'Ann');
    const cy = friend('cy');
    const di = friend('di');
    const res = await invite(ann.id, {
      emails: [cy.toUpperCase(), ` ${di} `, 'not-an-email', ann.email, cy],
      message: 'You will love it <b>really</b> & more\nsecond line',
    });
    expect(res.status, JSON.stringify(res.body)).toBe(202);
    expect(res.body).toEqual({
      invited: [cy, di],
      skipped: [
        { email: 'not-an-email', reason: 'invalid' },
        { email: ann.email, reason: 'is_member' },
      ],
    });

    const [mail] = await waitForMail(smtp, cy, 1);
    expect(mail!.headers.get('from')).toBe(`"${program.name}" <friends@acme.example>`);
    expect(mail!.subject).toBe(`Ann invited you to ${program.name}: Give $10, get $20`);
    expect(mail!.text).toContain(ann.referralUrl);
    expect(mail!.text).toContain('$10 off your first order');
    expect(mail!.text).toContain('> You will love it <b>really</b> & more\n> second line');
    expect(mail!.html).toContain(`href="${ann.referralUrl}"`);
    expect(mail!.html).toContain('You will love it &lt;b&gt;really&lt;/b&gt; &amp; more<br>second line');
    expect(mail!.html).not.toContain('<b>really</b>');
    // Every email carries the unsubscribe link in its body and in the headers mail clients read.
    expect(mail!.unsubscribePath).toMatch(/^\/u\/[\w-]+\.[\w-]+$/);
    expect(mail!.text).toContain(`http://hub.test${mail!.unsubscribePath}`);
    expect(mail!.html).toContain(`href="http://hub.test${mail!.unsubscribePath}"`);
    expect(mail!.headers.get('list-unsubscribe-post')).toBe('List-Unsubscribe=One-Click');
    expect(mail!.headers.get('message-id')).toMatch(/^<eml_[0-9a-z]{26}@acme\.example>$/);
    await waitForMail(smtp, di, 1);

    await waitUntilSent(cy);
    await waitUntilSent(di);
    expect(await rowsFor(cy)).toEqual([{ status: 'sent', reason: null, kind: 'invite', member_id: ann.id }]);
    expect(await rowsFor('not-an-email')).toEqual([{ status: 'skipped', reason: 'invalid', kind: 'invite', member_id: ann.id }]);
    expect(await rowsFor(ann.email.toLowerCase())).toEqual([{ status: 'skipped', reason: 'is_member', kind: 'invite', member_id: ann.id }]);
  });

  it('unsubscribing (a POST from the confirmation page, never the GET) suppresses the next invite', async () => {
    const bo = await addMember(h, program.id, 'Bo');
    const ed = friend('ed');
    expect((await invite(bo.id, { emails: [ed] })).body.invited).toEqual([ed]);
    const [mail] = await waitForMail(smtp, ed, 1);

    // A mail scanner following the link changes nothing.
    const page = await h.app.request(mail!.unsubscribePath);
    expect(page.status).toBe(200);
    expect(page.headers.get('cache-control')).toBe('no-store');
    expect(page.headers.get('referrer-policy')).toBe('no-referrer');
    const html = await page.text();
    expect(html).toContain(ed);
    expect(html).toContain(`<form method="post" action="${mail!.unsubscribePath}">`);
    expect(await h.db.sql`select 1 from email_suppressions where email = ${ed}`).toHaveLength(0);

    const done = await h.app.request(mail!.unsubscribePath, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: '',
    });
    expect(done.status).toBe(200);
    expect(await done.text()).toContain('You are unsubscribed');
    expect(await h.db.sql`select program_id, reason from email_suppressions where email = ${ed}`).toEqual([
      { program_id: program.id, reason: 'unsubscribed' },
    ]);
    expect(await (await h.app.request(mail!.unsubscribePath)).text()).toContain('You are unsubscribed');

    // Another member of the same program cannot invite that address any more.
    const cat = await addMember(h, program.id, 'Cat');
    const again = await invite(cat.id, { emails: [ed] });
    expect(again.body).toEqual({ invited: [], skipped: [{ email: ed, reason: 'suppressed' }] });
    // Another program's members still may: the suppression is per program.
    const other = await shareProgram(h, smtp);
    const dan = await addMember(h, other.id, 'Dan');
    expect((await invite(dan.id, { emails: [ed] })).body.invited).toEqual([ed]);
    await waitForMail(smtp, ed, 2);
  });

  it("supports mail clients' one-click unsubscribe (RFC 8058) and refuses a link that was altered", async () => {
    const flo = await addMember(h, program.id, 'Flo');
    const gus = friend('gus');
    await invite(flo.id, { emails: [gus] });
    const [mail] = await waitForMail(smtp, gus, 1);

    const tampered = mail!.unsubscribePath.slice(0, -2) + (mail!.unsubscribePath.endsWith('AA') ? 'BB' : 'AA');
    const refused = await h.app.request(tampered, { method: 'POST', body: 'List-Unsubscribe=One-Click' });
    expect(refused.status).toBe(404);
    expect((await h.app.request('/u/not-a-token')).status).toBe(404);
    expect(await h.db.sql`select 1 from email_suppressions where email = ${gus}`).toHaveLength(0);

    const oneClick = await h.app.request(mail!.unsubscribePath, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: 'List-Unsubscribe=One-Click',
    });
    expect(oneClick.status).toBe(200);
    expect(await h.db.sql`select 1 from email_suppressions where email = ${gus}`).toHaveLength(1);
  });

  it('an address invited in the program within 60 days is skipped already_invited, by any member', async () => {
    const gil = await addMember(h, program.id, 'Gil');
    const hal = await addMember(h, program.id, 'Hal');
    const ivy = friend('ivy');
    expect((await invite(gil.id, { emails: [ivy] })).body.invited).toEqual([ivy]);
    expect((await invite(gil.id, { emails: [ivy] })).body.skipped).toEqual([{ email: ivy, reason: 'already_invited' }]);
    expect((await invite(hal.id, { emails: [ivy] })).body.skipped).toEqual([{ email: ivy, reason: 'already_invited' }]);
    await waitForMail(smtp, ivy, 1);

    // 61 days later the address may be invited again.
    await waitUntilSent(ivy);
    await h.db.sql`update share_emails set created_at = now() - interval '61 days' where email = ${ivy}`;
    expect((await invite(hal.id, { emails: [ivy] })).body.invited).toEqual([ivy]);
    await waitForMail(smtp, ivy, 2);
    // The mail server has it; the row says so once the sender records the server's answer.
    await waitUntilSent(ivy, 2);
    expect((await rowsFor(ivy)).map((r) => r.status)).toEqual(['sent', 'skipped', 'skipped', 'sent']);
  });

  it("stops at the program's invitesPerMemberPerDay for 24 hours", async () => {
    const jo = await addMember(h, program.id, 'Jo');
    const [a, b, c, d, e] = ['a', 'b', 'c', 'd', 'e'].map(friend) as [string, string, string, string, string];
    const first = await invite(jo.id, { emails: [a, b] });
    expect(first.body.invited).toEqual([a, b]);
    const second = await invite(jo.id, { emails: [c, d, 'bad@', a] });
    expect(second.body).toEqual({
      invited: [c],
      skipped: [
        { email: d, reason: 'daily_limit' },
        { email: 'bad@', reason: 'invalid' },
        { email: a, reason: 'already_invited' },
      ],
    });
    expect((await invite(jo.id, { emails: [e] })).body.skipped).toEqual([{ email: e, reason: 'daily_limit' }]);
    for (const to of [a, b, c]) await waitForMail(smtp, to, 1);
    expect(mailTo(smtp, d)).toHaveLength(0);

    await h.db.sql`update share_emails set created_at = now() - interval '25 hours' where member_id = ${jo.id}`;
    expect((await invite(jo.id, { emails: [e] })).body.invited).toEqual([e]);
  });

  it('concurrent requests never send twice to one address nor pass the daily limit', async () => {
    const members = await Promise.all(['Kim', 'Lou', 'Max', 'Ned'].map((n) => addMember(h, program.id, n)));
    const shared = friend('shared');
    const answers = await Promise.all(members.map((m) => invite(m.id, { emails: [shared] })));
    expect(answers.map((a) => a.status)).toEqual([202, 202, 202, 202]);
    expect(answers.flatMap((a) => a.body.invited)).toEqual([shared]);
    expect(answers.flatMap((a) => a.body.skipped.map((s: { reason: string }) => s.reason))).toEqual([
      'already_invited',
      'already_invited',
      'already_invited',
    ]);

    // One member, several requests at once: together they accept no more than the limit (3).
    const oz = await addMember(h, program.id, 'Oz');
    const batches = [0, 1, 2].map(() => [friend('p'), friend('q')]);
    const together = await Promise.all(batches.map((emails) => invite(oz.id, { emails })));
    const invited = together.flatMap((a) => a.body.invited as string[]);
    expect(invited).toHaveLength(3);
    expect(together.flatMap((a) => a.body.skipped.map((s: { reason: string }) => s.reason))).toEqual([
      'daily_limit',
      'daily_limit',
      'daily_limit',
    ]);

    await waitForMail(smtp, shared, 1);
    for (const to of invited) await waitForMail(smtp, to, 1);
    await new Promise((r) => setTimeout(r, 1500));
    expect(mailTo(smtp, shared)).toHaveLength(1);
  });

  it('a mail server that is briefly refusing (4xx) gets the invite later, once; a 5xx refusal is recorded failed', async () => {
    const pam = await addMember(h, program.id, 'Pam');
    const quinn = friend('quinn');
    smtp.failNext(451, 'Greylisted, come back later');
    await invite(pam.id, { emails: [quinn] });
    await waitForMail(smtp, quinn, 1);
    await waitUntilSent(quinn);

    const rex = friend('rex');
    smtp.failNext(550, 'Mailbox unavailable');
    await invite(pam.id, { emails: [rex] });
    const [failed] = await waitFor(
      async () => {
        const rows = await h.db.sql<{ status: string; reason: string; error: string }[]>`
        select status, reason, details->>'error' as error from share_emails where email = ${rex}`;
        return rows[0]?.status === 'failed' ? rows : undefined;
      },
      30_000,
      'the refused invite recorded as failed',
    );
    expect(failed).toMatchObject({ reason: 'send_failed' });
    expect(failed!.error).toContain('Mailbox unavailable');
    expect(mailTo(smtp, rex)).toHaveLength(0);
  });

  it('an invite whose workflow was never started (Temporal down, a crash) is sent by the sweep, once', async () => {
    const member = await addMember(h, program.id, 'Vera');
    const sam = friend('sam');
    const id = newId('eml');
    await h.db.sql`insert into share_emails (id, program_id, member_id, email, kind, status, created_at)
      values (${id}, ${program.id}, ${member!.id}, ${sam}, 'invite', 'queued', now() - interval '2 minutes')`;
    expect(await h.shareEmailWaker.sweep()).toBeGreaterThanOrEqual(1);
    await waitForMail(smtp, sam, 1);
    await waitUntilSent(sam);
    await h.shareEmailWaker.sweep();
    await h.shareEmailWaker.queued([id]);
    await new Promise((r) => setTimeout(r, 1500));
    expect(mailTo(smtp, sam)).toHaveLength(1);
  });

  it('a send claims its row: attempts at once send once, and a suppression made since is honoured', async () => {
    const member = await addMember(h, program.id, 'Vera');
    const activities = createShareEmailActivities({
      db: h.db.db,
      secretBox: createSecretBox(deriveSecretKey(TEST_SECRET_KEY)),
      allowPrivateTargets: true,
      publicUrl: 'http://hub.test',
      unsubscribeKey: h.unsubscribeKey,
      logger: createLogger('silent'),
    });
    const queue = async (email: string) => {
      const id = newId('eml');
      await h.db.sql`insert into share_emails (id, program_id, member_id, email, kind, status)
        values (${id}, ${program.id}, ${member!.id}, ${email}, 'invite', 'queued')`;
      return id;
    };
    const tom = friend('tom');
    const id = await queue(tom);
    const outcomes = await Promise.allSettled([0, 1, 2].map(() => activities.sendShareEmail({ shareEmailId: id })));
    // The first claims and sends; one arriving meanwhile is told to retry, one arriving after finds it sent.
    for (const outcome of outcomes) {
      if (outcome.status === 'fulfilled') expect(outcome.value).toEqual({ status: 'sent', reason: null });
      else expect(String(outcome.reason)).toContain('being sent by another attempt');
    }
    expect(outcomes.some((o) => o.status === 'fulfilled')).toBe(true);
    expect(await activities.sendShareEmail({ shareEmailId: id })).toEqual({ status: 'sent', reason: null });
    expect(mailTo(smtp, tom)).toHaveLength(1);

    // Unsubscribed after the invite was accepted, before it went out: it never goes out.
    const una = friend('una');
    const queued = await queue(una);
    await h.db.sql`insert into email_suppressions (program_id, email) values (${program.id}, ${una})`;
    expect(await activities.sendShareEmail({ shareEmailId: queued })).toEqual({ status: 'skipped', reason: 'suppressed' });
    expect(mailTo(smtp, una)).toHaveLength(0);
  });

  it('refuses invites when the program has no email connector, and for unknown members', async () => {
    const bare = await shareProgram(h, smtp, { connector: false });
    const uma = await addMember(h, bare.id, 'Uma');
    const res = await invite(uma.id, { emails: [friend('vic')] });
    expect(res.status).toBe(422);
    expect(res.body.error.code).toBe('validation_failed');
    expect(res.body.error.details).toEqual([
      { path: 'share.emailConnectorId', message: expect.stringContaining('no share.emailConnectorId') },
    ]);
    expect(await h.db.sql`select 1 from share_emails where member_id = ${uma.id}`).toHaveLength(0);

    expect((await invite('mem_unknown', { emails: [friend('w')] })).status).toBe(404);
    expect((await invite(uma.id, { emails: [] })).status).toBe(422);
    expect((await invite(uma.id, { emails: Array.from({ length: 51 }, (_, i) => `x${i}@friends.test`) })).status).toBe(422);
  });
});
