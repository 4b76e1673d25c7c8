import { Client, Connection } from '@temporalio/client';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createLogger } from '../../lib/logger.js';
import { signUnsubscribeToken } from '../../lib/unsubscribe-token.js';
import { createCustomerEventService } from '../../hub/services/customer-event-service.js';
import type { HubDeps } from '../../hub/services/hub-deps.js';
import { ApiError } from '../../hub/http/api-error.js';
import { createHarness, type Harness } from '../support/hub-harness.js';
import { startSmtpTestServer, type SmtpTestServer } from '../support/smtp-test-server.js';
import { mailTo, shareProgram, unique, waitForMail } from './share-test-setup.js';

let h: Harness;
let smtp: SmtpTestServer;
let program: Awaited<ReturnType<typeof shareProgram>>;
const REMINDER_AFTER_MS = 3000;

beforeAll(async () => {
  h = await createHarness();
  smtp = await startSmtpTestServer();
  program = await shareProgram(h, smtp, { enrolment: { on: ['purchase', 'signup'], sendWelcome: true, reminderAfter: '3s' } });
});
afterAll(async () => {
  await smtp?.close();
  await h?.close();
});
beforeEach(() => {
  smtp.messages.length = 0;
});

const customer = (name: string) => `${unique(name)}@customers.test`;
const event = (body: Record<string, unknown>) =>
  h.call('POST', '/api/v1/customers/events', { programId: program.id, type: 'purchase', ...body });

async function membersWith(email: string) {
  return h.db.sql<{ id: string }[]>`select id from members where program_id = ${program.id} and lower(email) = ${email}`;
}

/** Waits until the member's enrolment workflow has finished (its reminder sent or skipped). */
async function enrolmentDone(memberId: string) {
  await h.client.workflow.getHandle(`enrolment:${memberId}`).result();
}

describe('event-based enrolment', () => {
  it('an enrolling event creates one member, one welcome email with their link, and one reminder after reminderAfter when nobody clicked', async () => {
    const eve = customer('eve');
    const started = Date.now();
    const res = await event({ email: eve, firstName: 'Eve', lastName: 'Ng' });
    expect(res.status, JSON.stringify(res.body)).toBe(202);
    expect(res.body).toEqual({ memberId: expect.stringMatching(/^mem_/), enrolled: true });
    const member = (await h.call('GET', `/api/v1/members/${res.body.memberId}`)).body;
    expect(member).toMatchObject({ email: eve, firstName: 'Eve', lastName: 'Ng' });
    expect(await membersWith(eve)).toHaveLength(1);

    const [welcome] = await waitForMail(smtp, eve, 1);
    expect(welcome!.subject).toBe(`Welcome to ${program.name}: your referral link`);
    expect(welcome!.text).toContain('Hi Eve,');
    expect(welcome!.text).toContain(member.referralUrl);
    expect(welcome!.text).toContain('Give $10, get $20');
    expect(welcome!.unsubscribePath).toMatch(/^\/u\//);
    expect(welcome!.text).toContain(`http://hub.test${welcome!.unsubscribePath}`);

    const [, reminder] = await waitForMail(smtp, eve, 2, 30_000);
    expect(Date.now() - started).toBeGreaterThanOrEqual(REMINDER_AFTER_MS);
    expect(reminder!.subject).toBe(`Your ${program.name} referral link is waiting`);
    expect(reminder!.text).toContain(member.referralUrl);
    expect(reminder!.unsubscribePath).toBe(welcome!.unsubscribePath);
    await enrolmentDone(member.id);

    // The wait is a durable timer in the workflow's history, not a sleep in a worker.
    const history = await h.client.workflow.getHandle(`enrolment:${member.id}`).fetchHistory();
    const timers = history.events!.filter((e) => e.timerStartedEventAttributes);
    expect(timers).toHaveLength(1);
    const rows = await h.db.sql`select kind, status, reason from share_emails where member_id = ${member.id} order by created_at`;
    expect(rows).toEqual([
      { kind: 'welcome', status: 'sent', reason: null },
      { kind: 'reminder', status: 'sent', reason: null },
    ]);

    // The same event again (a retry, a second purchase): nothing new is created or sent.
    const again = await event({ email: eve.toUpperCase(), firstName: 'Eve' });
    expect(again.status).toBe(202);
    expect(again.body).toEqual({ memberId: member.id, enrolled: false });
    await new Promise((r) => setTimeout(r, REMINDER_AFTER_MS + 1000));
    expect(mailTo(smtp, eve)).toHaveLength(2);
    expect(await membersWith(eve)).toHaveLength(1);
  });

  it('sends no reminder when the link got a click before reminderAfter', async () => {
    const fay = customer('fay');
    const res = await event({ email: fay, firstName: 'Fay', type: 'signup' });
    expect(res.body.enrolled).toBe(true);
    const member = (await h.call('GET', `/api/v1/members/${res.body.memberId}`)).body;
    await waitForMail(smtp, fay, 1);
    const click = await h.app.request(`/r/${member.referralCode}`, {
      headers: { 'user-agent': 'Mozilla/5.0 (X11; Linux x86_64) Firefox/128.0' },
    });
    expect(click.status).toBe(302);
    await enrolmentDone(member.id);
    expect(mailTo(smtp, fay)).toHaveLength(1);
    expect(await h.db.sql`select kind, status from share_emails where member_id = ${member.id}`).toEqual([
      { kind: 'welcome', status: 'sent' },
    ]);
  });

  it('two events for one new customer at once enrol them once and send one welcome', async () => {
    const gia = customer('gia');
    const answers = await Promise.all([event({ email: gia }), event({ email: gia }), event({ email: gia, type: 'signup' })]);
    expect(answers.map((a) => a.status)).toEqual([202, 202, 202]);
    expect(answers.filter((a) => a.body.enrolled)).toHaveLength(1);
    expect(new Set(answers.map((a) => a.body.memberId)).size).toBe(1);
    expect(await membersWith(gia)).toHaveLength(1);
    await enrolmentDone(answers[0]!.body.memberId);
    // The welcome and, nobody having clicked, the reminder: once each.
    expect(mailTo(smtp, gia).map((m) => m.subject)).toEqual([
      `Welcome to ${program.name}: your referral link`,
      `Your ${program.name} referral link is waiting`,
    ]);
  });

  it('an event type the program does not enrol on creates nothing', async () => {
    const hal = customer('hal');
    const res = await event({ email: hal, type: 'refund' });
    expect(res.status).toBe(202);
    expect(res.body).toEqual({ memberId: null, enrolled: false });
    expect(await membersWith(hal)).toHaveLength(0);

    const existing = await h.call('POST', '/api/v1/members', { programId: program.id, email: customer('ida') });
    const known = await event({ email: existing.body.email, type: 'refund' });
    expect(known.body).toEqual({ memberId: existing.body.id, enrolled: false });
    const member = await event({ email: existing.body.email });
    expect(member.body).toEqual({ memberId: existing.body.id, enrolled: false });
    await new Promise((r) => setTimeout(r, 1000));
    expect(mailTo(smtp, existing.body.email)).toHaveLength(0);
  });

  it('an address that unsubscribed from the program is enrolled but gets no welcome or reminder', async () => {
    const jan = customer('jan');
    const token = signUnsubscribeToken(h.unsubscribeKey, { programId: program.id, email: jan });
    expect((await h.app.request(`/u/${token}`, { method: 'POST' })).status).toBe(200);
    const res = await event({ email: jan });
    expect(res.body.enrolled).toBe(true);
    await enrolmentDone(res.body.memberId);
    expect(mailTo(smtp, jan)).toHaveLength(0);
    expect(
      await h.db.sql`select kind, status, reason from share_emails where member_id = ${res.body.memberId} order by created_at`,
    ).toEqual([
      { kind: 'welcome', status: 'skipped', reason: 'suppressed' },
      { kind: 'reminder', status: 'skipped', reason: 'suppressed' },
    ]);
  });

  it('a program without an email connector still enrols, and records why nothing was sent', async () => {
    const bare = await shareProgram(h, smtp, { connector: false, enrolment: { on: ['purchase'], reminderAfter: null } });
    const kit = customer('kit');
    const res = await h.call('POST', '/api/v1/customers/events', { programId: bare.id, email: kit, type: 'purchase' });
    expect(res.body.enrolled).toBe(true);
    await enrolmentDone(res.body.memberId);
    expect(await h.db.sql`select kind, status, reason from share_emails where member_id = ${res.body.memberId}`).toEqual([
      { kind: 'welcome', status: 'skipped', reason: 'no_email_connector' },
    ]);
  });

  it('when Temporal cannot be reached nothing is created: 503, and the retried event enrols', async () => {
    const connection = Connection.lazy({ address: '127.0.0.1:1' });
    const unreachable = createCustomerEventService({
      db: h.db.db,
      sql: h.db.sql,
      logger: createLogger('silent'),
      publicUrl: 'http://hub.test',
      temporal: { client: new Client({ connection }), taskQueue: h.taskQueue },
    } as HubDeps);
    const lea = customer('lea');
    const principal = { id: 'test', name: 'test', scopes: ['write' as const], programIds: [] };
    const error = await unreachable.record(principal, { programId: program.id, email: lea, type: 'purchase' }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ApiError);
    expect((error as ApiError).code).toBe('unavailable');
    expect(await membersWith(lea)).toHaveLength(0);
    await connection.close().catch(() => undefined);

    const retried = await event({ email: lea });
    expect(retried.body.enrolled).toBe(true);
    await waitForMail(smtp, lea, 1);
  }, 30_000);

  it('validates the event and keeps program-limited keys to their programs', async () => {
    expect((await event({ email: 'not-an-email' })).status).toBe(422);
    expect((await event({ email: customer('x'), type: 'Not A Type' })).status).toBe(422);
    expect(
      (await h.call('POST', '/api/v1/customers/events', { programId: 'prg_nope', email: customer('y'), type: 'purchase' })).status,
    ).toBe(404);
    const other = await shareProgram(h, smtp);
    const key = await h.call('POST', '/api/v1/api-keys', { name: 'limited', scopes: ['write'], programIds: [other.id] });
    const limited = await h.app.request('/api/v1/customers/events', {
      method: 'POST',
      headers: { authorization: `Bearer ${key.body.key}`, 'content-type': 'application/json' },
      body: JSON.stringify({ programId: program.id, email: customer('z'), type: 'purchase' }),
    });
    expect(limited.status).toBe(403);
    const readOnly = await h.call('POST', '/api/v1/api-keys', { name: 'reader', scopes: ['read'], programIds: [] });
    const read = await h.app.request('/api/v1/customers/events', {
      method: 'POST',
      headers: { authorization: `Bearer ${readOnly.body.key}`, 'content-type': 'application/json' },
      body: JSON.stringify({ programId: program.id, email: customer('z'), type: 'purchase' }),
    });
    expect(read.status).toBe(403);
  });
});
