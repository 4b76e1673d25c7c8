import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { convert, programWithMember } from '../support/fixtures.js';
import { createHarness, type Harness } from '../support/hub-harness.js';
import { signedInAs, type ConsoleClient } from '../support/console-client.js';

let h: Harness;
let editor: ConsoleClient;
let editorId: string;
let viewer: ConsoleClient;
let limited: ConsoleClient;
let a: Awaited<ReturnType<typeof programWithMember>>;
let b: Awaited<ReturnType<typeof programWithMember>>;
let referralA: any;
let referralB: any;

beforeAll(async () => {
  h = await createHarness({ worker: false });
  a = await programWithMember(h, []);
  b = await programWithMember(h, []);
  referralA = await convert(h, a.program.id, a.member.referralCode, { orderId: 'ORDER-A-1' });
  referralB = await convert(h, b.program.id, b.member.referralCode);
  const e = await signedInAs(h, 'editor');
  editor = e.client;
  editorId = e.user.id;
  viewer = (await signedInAs(h, 'viewer')).client;
  limited = (await signedInAs(h, 'editor', { programIds: [a.program.id] })).client;
}, 120_000);
afterAll(async () => {
  await h?.close();
});

const actorOf = async (subjectId: string, type: string) => {
  const rows = await h.db.sql`select actor from events where subject_id = ${subjectId} and type = ${type} order by seq desc limit 1`;
  return rows[0]?.actor as { type: string; id: string } | undefined;
};

describe('members', () => {
  it('lists members of every program, and says so when a search finds nothing', async () => {
    const page = await editor.get('/ui/members');
    expect(page.status).toBe(200);
    expect(page.text).toContain(a.member.email);
    expect(page.text).toContain(b.member.email);
    const none = await editor.get('/ui/members?q=nobody%40example.com');
    expect(none.status).toBe(200);
    expect(none.text).toContain('No member matches.');
    expect(none.text).not.toContain(a.member.email);
  });

  it('finds a member by email in any case, by referral code in any case, and filters by program', async () => {
    const byEmail = await editor.get(`/ui/members?q=${encodeURIComponent(a.member.email.toUpperCase())}`);
    expect(byEmail.text).toContain(a.member.email);
    expect(byEmail.text).not.toContain(b.member.email);
    const byCode = await editor.get(`/ui/members?q=${a.member.referralCode.toLowerCase()}`);
    expect(byCode.text).toContain(a.member.email);
    expect(byCode.text).not.toContain(b.member.email);
    const byProgram = await editor.get(`/ui/members?program=${b.program.id}`);
    expect(byProgram.text).toContain(b.member.email);
    expect(byProgram.text).not.toContain(a.member.email);
  });

  it('pages through a long list with the filters kept', async () => {
    const { program } = await programWithMember(h, []);
    for (let i = 0; i < 5; i++) {
      await Promise.all(
        Array.from({ length: 11 }, (_, j) =>
          h.call('POST', '/api/v1/members', { programId: program.id, email: `bulk-${i}-${j}@example.com` }),
        ),
      );
    }
    const first = await editor.get(`/ui/members?program=${program.id}`);
    const next = /href="([^"]+)" rel="next"/.exec(first.text)![1]!.replaceAll('&amp;', '&');
    expect(next).toContain(`program=${program.id}`);
    const second = await editor.get(next);
    const rows = (text: string) => (text.match(/href="\/ui\/members\/mem_/g) ?? []).length;
    expect(rows(first.text)).toBe(50);
    expect(rows(second.text)).toBe(6);
    expect(second.text).toContain('First page');
  });

  it("shows a member's link, code, clicks, referrals and payout details", async () => {
    await h.db.sql`insert into clicks (id, program_id, member_id, visitor_id, landing_url)
      values ('clk_test1', ${a.program.id}, ${a.member.id}, 'v1', 'https://acme.example/'),
             ('clk_test2', ${a.program.id}, ${a.member.id}, 'v2', 'https://acme.example/')`;
    const page = await editor.get(`/ui/members/${a.member.id}`);
    expect(page.status).toBe(200);
    expect(page.text).toContain(a.member.referralUrl);
    expect(page.text).toContain(a.member.referralCode);
    expect(page.text).toMatch(/<dt>Clicks<\/dt><dd>2<\/dd>/);
    expect(page.text).toContain(`href="/ui/referrals/${referralA.id}"`);
    expect(page.text).toContain('No rewards.');
    expect(page.text).toContain('Save member');
  });

  it('saves an edit through the member service, with the user as the event actor', async () => {
    await editor.get(`/ui/members/${a.member.id}`);
    const res = await editor.post(`/ui/members/${a.member.id}`, {
      email: a.member.email,
      firstName: 'Annie',
      lastName: 'Smith',
      externalId: 'crm-42',
      'payoutDetails.paypalEmail': 'annie-pay@example.com',
    });
    expect(res.status).toBe(303);
    const page = await editor.get(res.headers.get('location')!);
    expect(page.text).toContain('Member saved.');
    expect(page.text).toContain('PayPal annie-pay@example.com');
    const [row] = await h.db.sql`select first_name, external_id, payout_details from members where id = ${a.member.id}`;
    expect(row).toMatchObject({ first_name: 'Annie', external_id: 'crm-42', payout_details: { paypalEmail: 'annie-pay@example.com' } });
    expect(await actorOf(a.member.id, 'member.updated')).toMatchObject({ type: 'user', id: editorId });
  });

  it('re-renders the edit with 422 and the message next to a bad email; nothing changes', async () => {
    const res = await editor.post(`/ui/members/${a.member.id}`, { email: 'not-an-email', firstName: 'X' });
    expect(res.status).toBe(422);
    expect(res.text).toMatch(/id="f-email"[^>]*aria-invalid="true"/);
    expect(res.text).toMatch(/<p class="error" id="f-email-error">[^<]+<\/p>/);
    expect(res.text).toContain('value="not-an-email"');
    const [row] = await h.db.sql`select email, first_name from members where id = ${a.member.id}`;
    expect(row).toMatchObject({ email: a.member.email, first_name: 'Annie' });
  });

  it('refuses invites with 422 and the reason while the program has no email connector', async () => {
    const res = await editor.post(`/ui/members/${a.member.id}/invites`, { emails: 'friend1@example.com, friend2@example.com' });
    expect(res.status).toBe(422);
    expect(res.text).toContain('no share.emailConnectorId');
    expect(res.text).toContain('friend1@example.com, friend2@example.com');
  });

  it('deletes a member’s personal data, recorded with the user as actor', async () => {
    const { member } = await programWithMember(h, []);
    await editor.get(`/ui/members/${member.id}`);
    const res = await editor.post(`/ui/members/${member.id}/delete`);
    expect(res.status).toBe(303);
    expect((await editor.get('/ui/members')).text).not.toContain(member.email);
    expect((await editor.get(`/ui/members/${member.id}`)).status).toBe(404);
    expect(await actorOf(member.id, 'member.deleted')).toMatchObject({ type: 'user', id: editorId });
  });

  it('shows a viewer no change controls and answers 403 to their posts', async () => {
    const page = await viewer.get(`/ui/members/${a.member.id}`);
    expect(page.status).toBe(200);
    expect(page.text).toContain(a.member.referralCode);
    expect(page.text).not.toContain('Save member');
    expect(page.text).not.toContain('Delete member');
    expect(page.text).not.toContain('Send invites');
    expect(page.text).not.toContain('method="post" action="/ui/members');
    expect((await viewer.post(`/ui/members/${a.member.id}`, { email: 'x@example.com' })).status).toBe(403);
    expect((await viewer.post(`/ui/members/${a.member.id}/delete`)).status).toBe(403);
  });

  it("keeps a program-limited user to their programs: B's member is in no list and its page is 404", async () => {
    const list = await limited.get('/ui/members');
    expect(list.text).toContain(a.member.referralCode);
    expect(list.text).not.toContain(b.member.email);
    // The search box repeats the term; the table must not have the member.
    const searched = await limited.get(`/ui/members?q=${encodeURIComponent(b.member.email)}`);
    expect(searched.text).toContain('No member matches.');
    expect(searched.text).not.toContain(b.member.id);
    const foreign = await limited.get(`/ui/members/${b.member.id}`);
    expect(foreign.status).toBe(404);
    expect(foreign.text).not.toContain(b.member.email);
    await limited.get(`/ui/members/${a.member.id}`);
    expect((await limited.post(`/ui/members/${b.member.id}`, { email: 'taken@example.com' })).status).toBe(404);
    expect((await limited.post(`/ui/members/${b.member.id}/delete`)).status).toBe(404);
    const [row] = await h.db.sql`select email, deleted_at from members where id = ${b.member.id}`;
    expect(row).toMatchObject({ email: b.member.email, deleted_at: null });
  });
});

describe('referrals', () => {
  it('lists referrals with their member, and filters by status, program, search and day', async () => {
    const page = await editor.get('/ui/referrals');
    expect(page.status).toBe(200);
    expect(page.text).toContain(referralA.email);
    expect(page.text).toContain(referralB.email);
    expect((await editor.get(`/ui/referrals?q=ORDER-A-1`)).text).not.toContain(referralB.email);
    expect((await editor.get(`/ui/referrals?q=ORDER-A-1`)).text).toContain(referralA.email);
    expect((await editor.get(`/ui/referrals?q=${encodeURIComponent(referralB.email.toUpperCase())}`)).text).toContain(referralB.email);
    expect((await editor.get(`/ui/referrals?program=${b.program.id}`)).text).not.toContain(referralA.email);
    const denied = await editor.get('/ui/referrals?status=denied');
    expect(denied.text).toContain('No referral matches.');
    // The day the referral was made (not "today": a run across midnight would differ).
    const made = new Date(referralA.createdAt);
    const day = made.toISOString().slice(0, 10);
    const nextDay = new Date(made.getTime() + 86_400_000).toISOString().slice(0, 10);
    expect((await editor.get(`/ui/referrals?from=${day}&to=${day}`)).text).toContain(referralA.email);
    expect((await editor.get(`/ui/referrals?from=${nextDay}`)).text).toContain('No referral matches.');
    expect((await editor.get(`/ui/referrals?to=2020-01-01`)).text).toContain('No referral matches.');
  });

  it('shows a referral with its member and business activity', async () => {
    const event = await h.call('POST', '/api/v1/events', {
      referral: { id: referralA.id },
      type: 'purchase',
      amount: 49.5,
      currency: 'USD',
    });
    expect(event.status).toBe(202);
    const page = await editor.get(`/ui/referrals/${referralA.id}`);
    expect(page.status).toBe(200);
    expect(page.text).toContain(`href="/ui/members/${a.member.id}"`);
    expect(page.text).toContain('<td>purchase</td>');
    expect(page.text).toContain('49.50 USD');
    expect(page.text).toContain('Qualify');
  });

  it('changes the status forward with the user as actor, and tells when a change is not allowed', async () => {
    const res = await editor.post(`/ui/referrals/${referralA.id}/status`, { status: 'qualified' });
    expect(res.status).toBe(303);
    const page = await editor.get(`/ui/referrals/${referralA.id}`);
    expect(page.text).toContain('Referral is now qualified.');
    expect(page.text).not.toContain('>Qualify<');
    expect(await actorOf(referralA.id, 'referral.status_changed')).toMatchObject({ type: 'user', id: editorId });
    await editor.post(`/ui/referrals/${referralA.id}/status`, { status: 'pending' });
    expect((await editor.get(`/ui/referrals/${referralA.id}`)).text).toContain('A referral cannot go from qualified to pending');
    expect((await editor.post(`/ui/referrals/${referralA.id}/status`, { status: 'bogus' })).status).toBe(422);
    const [row] = await h.db.sql`select status from referrals where id = ${referralA.id}`;
    expect(row!.status).toBe('qualified');
  });

  it('shows a viewer no status buttons and answers 403 to a status post', async () => {
    const page = await viewer.get(`/ui/referrals/${referralB.id}`);
    expect(page.status).toBe(200);
    expect(page.text).not.toContain('Qualify');
    expect(page.text).not.toContain('Deny referral');
    expect((await viewer.post(`/ui/referrals/${referralB.id}/status`, { status: 'qualified' })).status).toBe(403);
  });

  it("keeps a program-limited user to their programs: B's referral is in no list and its page is 404", async () => {
    const list = await limited.get('/ui/referrals');
    expect(list.text).toContain(referralA.email);
    expect(list.text).not.toContain(referralB.email);
    const searched = await limited.get(`/ui/referrals?q=${encodeURIComponent(referralB.email)}`);
    expect(searched.text).toContain('No referral matches.');
    expect(searched.text).not.toContain(referralB.id);
    expect((await limited.get(`/ui/referrals/${referralB.id}`)).status).toBe(404);
    expect((await limited.post(`/ui/referrals/${referralB.id}/status`, { status: 'denied' })).status).toBe(404);
    const [row] = await h.db.sql`select status from referrals where id = ${referralB.id}`;
    expect(row!.status).toBe('pending');
  });
});
