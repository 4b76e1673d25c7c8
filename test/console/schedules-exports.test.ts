import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { convert, programWithMember } from '../support/fixtures.js';
import { createHarness, type Harness } from '../support/hub-harness.js';
import { ConsoleClient, signedInAs } from '../support/console-client.js';
import { parseCsv, waitForRun } from '../support/schedule-helpers.js';
import { startSftpTestServer, type SftpTestServer } from '../support/sftp-test-server.js';

let h: Harness;
let sftp: SftpTestServer;
let admin: ConsoleClient;
let viewer: ConsoleClient;
let limited: ConsoleClient;
let programA: { id: string };
let programB: { id: string };
let connectorA: string;
let connectorB: string;

async function sftpConnector(name: string, programIds: string[]) {
  const res = await h.call('POST', '/api/v1/connectors', {
    kind: 'sftp',
    name,
    programIds,
    settings: { host: '127.0.0.1', port: sftp.port, username: 'partner', directory: '/incoming', hostKeySha256: sftp.hostKeySha256 },
    secrets: { password: 'sftp-pass-1' },
  });
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  return res.body.id as string;
}

const scheduleIdFrom = (location: string | null) => /^\/ui\/schedules\/(sch_[\w-]+)$/.exec(location ?? '')?.[1];

beforeAll(async () => {
  h = await createHarness();
  sftp = await startSftpTestServer({ username: 'partner', password: 'sftp-pass-1' });
  mkdirSync(join(sftp.root, 'incoming'), { recursive: true });
  const a = await programWithMember(h, []);
  const b = await programWithMember(h, []);
  programA = a.program;
  programB = b.program;
  for (let i = 0; i < 2; i++) await convert(h, a.program.id, a.member.referralCode, { email: `a-friend-${i}@example.com` });
  await convert(h, b.program.id, b.member.referralCode, { email: 'b-friend@example.com' });
  connectorA = await sftpConnector('Partner SFTP A', [programA.id]);
  connectorB = await sftpConnector('Partner SFTP B', [programB.id]);
  const signedIn = await Promise.all([
    signedInAs(h, 'admin'),
    signedInAs(h, 'viewer'),
    signedInAs(h, 'editor', { programIds: [programA.id] }),
  ]);
  [admin, viewer, limited] = [signedIn[0].client, signedIn[1].client, signedIn[2].client];
}, 60_000);
afterAll(async () => {
  await h?.close();
  await sftp?.close();
});

describe('schedules pages', () => {
  it('shows an empty list, then a schedule made through the form, run now, its run, its file, redeliver', async () => {
    const empty = await admin.get('/ui/schedules');
    expect(empty.status).toBe(200);
    expect(empty.text).toContain('No schedules yet');
    expect(empty.text).toContain('New schedule');

    const form = await admin.get('/ui/schedules/new?resource=referrals');
    expect(form.status).toBe(200);
    expect(form.text).toContain('Partner SFTP A (sftp)');
    expect(form.text).toContain('value="email"');

    const created = await admin.post('/ui/schedules', {
      name: 'Nightly to partner',
      resource: 'referrals',
      connectorId: connectorA,
      programIds: programA.id,
      repeat: 'every',
      every: '24h',
      timezone: 'UTC',
      fields: ['email', 'status', 'member.email'],
      fileName: 'referrals-{date}-{runId}.csv',
      delimiter: ',',
    });
    expect(created.status, created.text.slice(0, 2000)).toBe(303);
    const id = scheduleIdFrom(created.headers.get('location'))!;
    expect(id).toBeDefined();
    const detail = await admin.get(`/ui/schedules/${id}`);
    expect(detail.status).toBe(200);
    expect(detail.text).toContain('Schedule &quot;Nightly to partner&quot; created.');
    expect(detail.text).toContain('every 24h');
    expect(detail.text).toContain('No runs yet.');
    expect(detail.text).toContain('>Run now</button>');

    const list = await admin.get('/ui/schedules');
    expect(list.text).toContain(`href="/ui/schedules/${id}"`);

    const ran = await admin.post(`/ui/schedules/${id}/run`);
    expect(ran.status).toBe(303);
    const [row] = await h.db.sql<{ id: string }[]>`select id from schedule_runs where schedule_id = ${id}`;
    const run = await waitForRun(h, id, row!.id);
    expect(run).toMatchObject({ status: 'succeeded', recordCount: 2 });
    const delivered = parseCsv(readFileSync(join(sftp.root, 'incoming', run.fileName), 'utf8'));
    expect(delivered[0]).toEqual(['email', 'status', 'member.email']);

    const after = await admin.get(`/ui/schedules/${id}`);
    expect(after.text).toContain(run.id);
    expect(after.text).toContain('succeeded');
    expect(after.text).toContain(`/ui/schedules/${id}/runs/${run.id}/file`);
    expect(after.text).toContain('>Redeliver</button>');

    const file = await admin.get(`/ui/schedules/${id}/runs/${run.id}/file`);
    expect(file.status).toBe(200);
    expect(file.headers.get('content-type')).toMatch(/^text\/csv/);
    expect(file.headers.get('content-disposition')).toContain(run.fileName);
    const rows = parseCsv(file.text);
    expect(
      rows
        .slice(1)
        .map((r) => r[0])
        .sort(),
    ).toEqual(['a-friend-0@example.com', 'a-friend-1@example.com']);
    expect(file.text).toBe(readFileSync(join(sftp.root, 'incoming', run.fileName), 'utf8'));

    const redeliver = await admin.post(`/ui/schedules/${id}/runs/${run.id}/redeliver`);
    expect(redeliver.status).toBe(303);
    expect((await admin.get(`/ui/schedules/${id}`)).text).toContain('is being delivered again');
  }, 60_000);

  it('re-renders the form with 422 and the API messages next to the fields', async () => {
    const res = await admin.post('/ui/schedules', {
      name: 'Broken',
      resource: 'referrals',
      connectorId: connectorA,
      programIds: programA.id,
      repeat: 'cron',
      cron: 'every day',
      timezone: 'Mars/Olympus',
    });
    expect(res.status).toBe(422);
    expect(res.text).toMatch(/id="f-cron-error">five cron fields/);
    expect(res.text).toMatch(/id="f-timezone-error">unknown time zone/);
    expect(res.text).toContain('id="fields-error"');
    expect(res.text).toContain('value="Mars/Olympus"');
    const badMapping = await admin.post('/ui/schedules', {
      name: 'Broken',
      resource: 'referrals',
      connectorId: connectorA,
      repeat: 'every',
      every: '1h',
      mapping: '[{',
    });
    expect(badMapping.status).toBe(422);
    expect(badMapping.text).toContain('The mapping is not valid JSON');
  });

  it('edits, disables, enables and deletes a schedule', async () => {
    const created = await admin.post('/ui/schedules', {
      name: 'To edit',
      resource: 'members',
      connectorId: connectorA,
      programIds: programA.id,
      repeat: 'every',
      every: '1h',
      fields: ['email'],
    });
    const id = scheduleIdFrom(created.headers.get('location'))!;
    const edit = await admin.get(`/ui/schedules/${id}/edit`);
    expect(edit.status).toBe(200);
    expect(edit.text).toContain('value="To edit"');
    const saved = await admin.post(`/ui/schedules/${id}`, {
      name: 'Edited',
      programIds: programA.id,
      repeat: 'cron',
      cron: '0 2 * * *',
      timezone: 'Europe/Paris',
      fields: ['email', 'referralCode'],
    });
    expect(saved.status, saved.text.slice(0, 1500)).toBe(303);
    const [row] = await h.db.sql<{ name: string; cron: string; every: string | null; timezone: string; fields: unknown[] }[]>`
      select name, cron, every, timezone, fields from schedules where id = ${id}`;
    expect(row).toMatchObject({ name: 'Edited', cron: '0 2 * * *', every: null, timezone: 'Europe/Paris' });
    expect(row!.fields).toEqual([
      { target: 'email', source: 'member.email' },
      { target: 'referralCode', source: 'member.referralCode' },
    ]);
    expect((await admin.post(`/ui/schedules/${id}/disable`)).status).toBe(303);
    const disabled = await admin.get(`/ui/schedules/${id}`);
    expect(disabled.text).toContain('>disabled</span>');
    expect(disabled.text).toContain('>Enable</button>');
    expect((await h.call('GET', `/api/v1/schedules/${id}`)).body.paused).toBe(true);
    expect((await admin.post(`/ui/schedules/${id}/enable`)).status).toBe(303);
    expect((await h.call('GET', `/api/v1/schedules/${id}`)).body.paused).toBe(false);
    const deleted = await admin.post(`/ui/schedules/${id}/delete`);
    expect(deleted.status).toBe(303);
    expect(deleted.headers.get('location')).toBe('/ui/schedules');
    expect((await admin.get(`/ui/schedules/${id}`)).status).toBe(404);
  }, 30_000);

  it('shows a viewer no change controls and refuses its posts', async () => {
    const list = await h.call('GET', '/api/v1/schedules');
    const id = list.body.data[0].id as string;
    const page = await viewer.get(`/ui/schedules/${id}`);
    expect(page.status).toBe(200);
    expect(page.text).not.toContain('Run now');
    expect(page.text).not.toContain('Redeliver');
    expect(page.text).not.toContain('>Delete<');
    expect((await viewer.get('/ui/schedules')).text).not.toContain('New schedule');
    expect((await viewer.post(`/ui/schedules/${id}/run`)).status).toBe(403);
    expect((await viewer.post(`/ui/schedules/${id}/delete`)).status).toBe(403);
  });

  it("keeps a user limited to program A away from program B's schedules and their files", async () => {
    const theirs = await h.call('POST', '/api/v1/schedules', {
      name: 'Program B nightly',
      connectorId: connectorB,
      programIds: [programB.id],
      every: '24h',
      fields: [{ target: 'email', source: 'referral.email' }],
    });
    expect(theirs.status).toBe(201);
    const ran = await h.call('POST', `/api/v1/schedules/${theirs.body.id}/run`);
    const list = await limited.get('/ui/schedules');
    expect(list.status).toBe(200);
    expect(list.text).toContain('Nightly to partner');
    expect(list.text).not.toContain('Program B nightly');
    expect((await limited.get(`/ui/schedules/${theirs.body.id}`)).status).toBe(404);
    expect((await limited.get(`/ui/schedules/${theirs.body.id}/runs/${ran.body.runId}/file`)).status).toBe(404);
    expect((await limited.post(`/ui/schedules/${theirs.body.id}/run`)).status).toBe(404);
    const form = await limited.get('/ui/schedules/new');
    expect(form.text).toContain('Partner SFTP A');
    expect(form.text).not.toContain('Partner SFTP B');
    const refused = await limited.post('/ui/schedules', {
      name: 'Sneaky',
      resource: 'referrals',
      connectorId: connectorB,
      programIds: programB.id,
      repeat: 'every',
      every: '1h',
      fields: 'email',
    });
    expect(refused.status).toBe(403);
    expect(refused.text).toContain('limited to programs');
  }, 30_000);
});

describe('exports page', () => {
  it('offers the record types and their fields as checkboxes', async () => {
    const page = await admin.get('/ui/exports');
    expect(page.status).toBe(200);
    expect(page.text).toContain('action="/ui/exports/download"');
    expect(page.text).toMatch(/name="fields" value="email" checked/);
    const members = await admin.get('/ui/exports?resource=members');
    expect(members.text).toContain('value="referralCode"');
  });

  it("downloads a CSV with only the user's programs' rows, in the time frame asked", async () => {
    const q = new URLSearchParams([
      ['resource', 'referrals'],
      ['fields', 'email'],
      ['fields', 'programId'],
      ['from', '2000-01-01T00:00'],
    ]);
    const mine = await limited.get(`/ui/exports/download?${q}`);
    expect(mine.status).toBe(200);
    expect(mine.headers.get('content-disposition')).toMatch(/attachment; filename="referrals-/);
    const rows = parseCsv(mine.text);
    expect(rows[0]).toEqual(['email', 'programId']);
    expect(rows.slice(1).map((r) => r[1])).toEqual([programA.id, programA.id]);
    const all = parseCsv((await admin.get(`/ui/exports/download?${q}`)).text);
    expect(
      all
        .slice(1)
        .map((r) => r[1])
        .sort(),
    ).toEqual([programA.id, programA.id, programB.id].sort());
    // A mapped field (not a plain column) goes the cursor way, still limited.
    q.append('fields', 'member.email');
    expect(parseCsv((await limited.get(`/ui/exports/download?${q}`)).text).length).toBe(3);
    const future = await admin.get('/ui/exports/download?resource=referrals&fields=email&from=2999-01-01T00:00');
    expect(parseCsv(future.text)).toEqual([['email']]);
    const foreign = await limited.get(`/ui/exports/download?resource=referrals&fields=email&programId=${programB.id}`);
    expect(foreign.status).toBe(403);
  });

  it('re-renders with 422 and the messages when the query is wrong', async () => {
    const none = await admin.get('/ui/exports/download?resource=referrals');
    expect(none.status).toBe(422);
    expect(none.text).toContain('Choose at least one field');
    const bad = await admin.get('/ui/exports/download?resource=referrals&fields=email&from=yesterday');
    expect(bad.status).toBe(422);
    expect(bad.text).toMatch(/id="f-from-error"/);
  });
});
