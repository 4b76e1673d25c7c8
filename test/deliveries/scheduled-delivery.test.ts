import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { newId } from '../../lib/ids.js';
import { allocateRun } from '../../workflows/activities/schedule-runs.js';
import { convert, programWithMember } from '../support/fixtures.js';
import { startFtpsTestServer, type FtpsTestServer } from '../support/ftps-test-server.js';
import { createHarness, waitFor, type Harness } from '../support/hub-harness.js';
import { parseMimeMessage } from '../support/mime-message.js';
import { parseCsv, runAndWait, waitForRun } from '../support/schedule-helpers.js';
import { startSftpTestServer, type SftpTestServer } from '../support/sftp-test-server.js';
import { startSmtpTestServer, type SmtpTestServer } from '../support/smtp-test-server.js';
import { startTcpProxy } from '../support/tcp-proxy.js';

let h: Harness;
let sftp: SftpTestServer;
let ftps: FtpsTestServer;
let smtp: SmtpTestServer;
beforeAll(async () => {
  h = await createHarness();
  sftp = await startSftpTestServer({ username: 'partner', password: 'sftp-pass-1' });
  ftps = await startFtpsTestServer({ username: 'partner', password: 'ftps-pass-1' });
  smtp = await startSmtpTestServer({ username: 'mailer', password: 'smtp-pass-1' });
});
afterAll(async () => {
  await h?.close();
  await sftp?.close();
  await ftps?.close();
  await smtp?.close();
});

const FIELDS = [
  { target: 'Email', source: 'referral.email' },
  { target: 'Gender', source: 'referral.customFields.gender', valueMap: { M: 'Male', F: 'Female' }, noMatch: 'Other', empty: 'Unknown' },
  { target: 'Signed up', source: 'referral.createdAt', format: 'date:yyyy-MM-dd' },
  { target: 'Referrer', source: 'member.email' },
];

async function sftpConnector(directory: string) {
  const res = await h.call('POST', '/api/v1/connectors', {
    kind: 'sftp',
    name: 'Partner SFTP',
    settings: { host: '127.0.0.1', port: sftp.port, username: 'partner', directory, hostKeySha256: sftp.hostKeySha256 },
    secrets: { password: 'sftp-pass-1' },
  });
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  return res.body.id as string;
}

async function schedule(connectorId: string, programId: string, extra: Record<string, unknown> = {}) {
  const res = await h.call('POST', '/api/v1/schedules', {
    name: 'Nightly to partner',
    connectorId,
    programIds: [programId],
    every: '24h',
    fileName: 'referrals-{date}-{runId}.csv',
    fields: FIELDS,
    ...extra,
  });
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  return res.body.id as string;
}

describe('SFTP', () => {
  it('sends only new records each run, nothing when empty, and the same records on redeliver', async () => {
    mkdirSync(join(sftp.root, 'incoming'), { recursive: true });
    const { program, member } = await programWithMember(h, []);
    const conId = await sftpConnector('/incoming');
    for (const gender of ['M', 'F', 'X']) await convert(h, program.id, member.referralCode, { customFields: { gender } });
    const id = await schedule(conId, program.id);

    const first = await runAndWait(h, id);
    expect(first).toMatchObject({ status: 'succeeded', recordCount: 3 });
    const file1 = join(sftp.root, 'incoming', first.fileName);
    const rows1 = parseCsv(readFileSync(file1, 'utf8'));
    expect(rows1[0]).toEqual(['Email', 'Gender', 'Signed up', 'Referrer']);
    expect(
      rows1
        .slice(1)
        .map((r) => r[1])
        .sort(),
    ).toEqual(['Female', 'Male', 'Other']);
    expect(rows1.slice(1).every((r) => r[3] === member.email && /^\d{4}-\d{2}-\d{2}$/.test(r[2]!))).toBe(true);

    const late = await convert(h, program.id, member.referralCode, { customFields: {} });
    const second = await runAndWait(h, id);
    expect(second).toMatchObject({ status: 'succeeded', recordCount: 1 });
    expect(parseCsv(readFileSync(join(sftp.root, 'incoming', second.fileName), 'utf8')).slice(1)).toEqual([
      [late.email, 'Unknown', expect.any(String), member.email],
    ]);

    const before = readdirSync(join(sftp.root, 'incoming')).length;
    const empty = await runAndWait(h, id);
    expect(empty).toMatchObject({ status: 'empty', recordCount: 0 });
    expect(readdirSync(join(sftp.root, 'incoming'))).toHaveLength(before);

    rmSync(file1);
    expect((await h.call('POST', `/api/v1/schedules/${id}/runs/${first.id}/redeliver`)).status).toBe(202);
    const { waitFor } = await import('../support/hub-harness.js');
    await waitFor(async () => existsSync(file1), 20_000, 'redelivered file');
    expect(parseCsv(readFileSync(file1, 'utf8'))).toEqual(rows1);
  });

  it('a failed run is retried with the same range and the same file name', async () => {
    const { program, member } = await programWithMember(h, []);
    const conId = await sftpConnector('/not-yet');
    for (let i = 0; i < 2; i++) await convert(h, program.id, member.referralCode);
    const id = await schedule(conId, program.id);
    const failed = await runAndWait(h, id);
    expect(failed.status).toBe('failed');
    expect(failed.lastError).toMatch(/not-yet/);

    await convert(h, program.id, member.referralCode); // commits after the failed run's range
    mkdirSync(join(sftp.root, 'not-yet'), { recursive: true });
    const retried = await runAndWait(h, id);
    expect(retried.id).toBe(failed.id);
    expect(retried).toMatchObject({ status: 'succeeded', recordCount: 2, fileName: failed.fileName });
    const next = await runAndWait(h, id);
    expect(next).toMatchObject({ status: 'succeeded', recordCount: 1 });
  });

  it('a run waiting to retry a network error stays running, so another delivery does not take it up meanwhile', async () => {
    const { program, member } = await programWithMember(h, []);
    const proxy = await startTcpProxy(`127.0.0.1:${sftp.port}`);
    try {
      const con = await h.call('POST', '/api/v1/connectors', {
        kind: 'sftp',
        name: 'Flaky SFTP',
        settings: {
          host: '127.0.0.1',
          port: Number(proxy.address.split(':')[1]),
          username: 'partner',
          directory: '/incoming',
          hostKeySha256: sftp.hostKeySha256,
        },
        secrets: { password: 'sftp-pass-1' },
      });
      mkdirSync(join(sftp.root, 'incoming'), { recursive: true });
      for (let i = 0; i < 2; i++) await convert(h, program.id, member.referralCode);
      const id = await schedule(con.body.id, program.id);
      await proxy.cut();
      const first = await h.call('POST', `/api/v1/schedules/${id}/run`);
      expect(first.status).toBe(202);
      const waiting = await waitFor(
        async () => {
          const runs = (await h.call('GET', `/api/v1/schedules/${id}/runs`)).body.data;
          return runs.find((r: { id: string; lastError: string | null }) => r.id === first.body.runId && r.lastError);
        },
        20_000,
        'first attempt failed',
      );
      expect(waiting.status).toBe('running');

      // Run now during the backoff: the next range, not a second delivery of the waiting run.
      await convert(h, program.id, member.referralCode);
      const second = await h.call('POST', `/api/v1/schedules/${id}/run`);
      expect(second.status).toBe(202);
      expect(second.body.runId).not.toBe(first.body.runId);

      await proxy.restore();
      const done = await waitForRun(h, id, first.body.runId, 45_000);
      expect(done).toMatchObject({ status: 'succeeded', recordCount: 2, lastError: null });
      expect(done.attempts).toBeGreaterThan(1);
      expect(await waitForRun(h, id, second.body.runId, 45_000)).toMatchObject({ status: 'succeeded', recordCount: 1 });
    } finally {
      await proxy.close();
    }
  }, 90_000);

  it('a new run starts where the newest run ended even when transaction ids cross a power of ten', async () => {
    const { program } = await programWithMember(h, []);
    const id = await schedule(await sftpConnector('/incoming'), program.id);
    // Two finished runs ending at 99 and 100 (scaled to ids below the current one): as strings
    // '99' sorts after '100', so a digit-wise "newest" would start the next run back inside 99–100.
    const [current] = await h.db.sql<{ now: string }[]>`select pg_current_xact_id()::text as now`;
    const now = current!.now;
    const ten = 10n ** BigInt(String(BigInt(now) - 2n).length - 1);
    for (const [from, to] of [
      [0n, ten - 1n],
      [ten - 1n, ten],
    ]) {
      await h.db.sql`insert into schedule_runs (id, schedule_id, status, from_txid, from_seq, to_txid, file_name)
        values (${newId('run')}, ${id}, 'succeeded', ${String(from)}::xid8, 0, ${String(to)}::xid8, ${`f-${to}.csv`})`;
    }
    const run = await allocateRun(h.db.sql, id);
    const [row] = await h.db.sql<{ from_txid: string }[]>`select from_txid::text from schedule_runs where id = ${run!.runId}`;
    expect(row!.from_txid).toBe(String(ten));
  });

  it('a workflow that asks for its run twice (activity retried after the commit) gets the same run', async () => {
    const { program, member } = await programWithMember(h, []);
    await convert(h, program.id, member.referralCode);
    const id = await schedule(await sftpConnector('/incoming'), program.id);
    const first = await allocateRun(h.db.sql, id, 'scheduled:wf-1/run-1');
    await convert(h, program.id, member.referralCode);
    const again = await allocateRun(h.db.sql, id, 'scheduled:wf-1/run-1');
    expect(again!.runId).toBe(first!.runId);
    const other = await allocateRun(h.db.sql, id, 'scheduled:wf-2/run-1');
    expect(other!.runId).not.toBe(first!.runId);
    const runs = await h.db.sql<{ n: number }[]>`select count(*)::int as n from schedule_runs where schedule_id = ${id}`;
    expect(runs[0]!.n).toBe(2);
  });

  it('sendEmpty sends a header-only file; gzip compresses', async () => {
    mkdirSync(join(sftp.root, 'gz'), { recursive: true });
    const { program } = await programWithMember(h, []);
    const conId = await sftpConnector('/gz');
    const id = await schedule(conId, program.id, { sendEmpty: true, gzip: true });
    const run = await runAndWait(h, id);
    expect(run).toMatchObject({ status: 'succeeded', recordCount: 0 });
    expect(run.fileName.endsWith('.csv.gz')).toBe(true);
    expect(gunzipSync(readFileSync(join(sftp.root, 'gz', run.fileName))).toString()).toBe('Email,Gender,Signed up,Referrer\r\n');
  });
});

describe('FTPS and email', () => {
  it('delivers over explicit TLS with certificate checks on', async () => {
    mkdirSync(join(ftps.root, 'drop'), { recursive: true });
    const { program, member } = await programWithMember(h, []);
    await convert(h, program.id, member.referralCode, { customFields: { gender: 'F' } });
    const con = await h.call('POST', '/api/v1/connectors', {
      kind: 'ftps',
      name: 'Partner FTPS',
      settings: { host: '127.0.0.1', port: ftps.port, username: 'partner', directory: '/drop', caCertificate: ftps.caPem },
      secrets: { password: 'ftps-pass-1' },
    });
    expect(con.status, JSON.stringify(con.body)).toBe(201);
    const run = await runAndWait(h, await schedule(con.body.id, program.id));
    expect(run).toMatchObject({ status: 'succeeded', recordCount: 1 });
    expect(parseCsv(readFileSync(join(ftps.root, 'drop', run.fileName), 'utf8'))[1]![1]).toBe('Female');
  });

  it('emails the CSV as an attachment to several recipients', async () => {
    const { program, member } = await programWithMember(h, []);
    await convert(h, program.id, member.referralCode, { customFields: { gender: 'M' } });
    const con = await h.call('POST', '/api/v1/connectors', {
      kind: 'email',
      name: 'Partner mail',
      settings: {
        host: '127.0.0.1',
        port: smtp.port,
        secure: false,
        from: 'hub@acme.example',
        to: ['ops@partner.example', 'data@partner.example'],
        caCertificate: smtp.caPem,
      },
      secrets: { username: 'mailer', password: 'smtp-pass-1' },
    });
    expect(con.status, JSON.stringify(con.body)).toBe(201);
    const before = smtp.messages.length;
    const run = await runAndWait(h, await schedule(con.body.id, program.id));
    expect(run.status).toBe('succeeded');
    const message = smtp.messages[before]!;
    expect(message.rcptTo.sort()).toEqual(['data@partner.example', 'ops@partner.example']);
    const attachment = parseMimeMessage(message.raw).attachments[0]!;
    expect(attachment.filename).toBe(run.fileName);
    expect(parseCsv(attachment.content.toString('utf8'))[1]![1]).toBe('Male');
  });
});

describe('schedules API', () => {
  it('a redeliver asked twice while the first is still trying sends the file once', async () => {
    const { program, member } = await programWithMember(h, []);
    await convert(h, program.id, member.referralCode);
    const proxy = await startTcpProxy(`127.0.0.1:${smtp.port}`);
    try {
      const con = await h.call('POST', '/api/v1/connectors', {
        kind: 'email',
        name: 'Flaky mail',
        settings: {
          host: '127.0.0.1',
          port: Number(proxy.address.split(':')[1]),
          secure: false,
          from: 'hub@acme.example',
          to: ['redeliver@partner.example'],
          caCertificate: smtp.caPem,
        },
        secrets: { username: 'mailer', password: 'smtp-pass-1' },
      });
      const id = await schedule(con.body.id, program.id);
      const run = await runAndWait(h, id);
      expect(run.status).toBe('succeeded');
      const sent = () => smtp.messages.filter((m) => m.rcptTo.includes('redeliver@partner.example')).length;
      expect(sent()).toBe(1);

      await proxy.cut();
      for (let i = 0; i < 2; i++) expect((await h.call('POST', `/api/v1/schedules/${id}/runs/${run.id}/redeliver`)).status).toBe(202);
      await waitFor(
        async () => {
          const runs = (await h.call('GET', `/api/v1/schedules/${id}/runs`)).body.data;
          return runs.find((r: { id: string; lastError: string | null }) => r.id === run.id && r.lastError);
        },
        20_000,
        'the redeliver failing while the mail server is away',
      );
      await proxy.restore();
      await waitFor(async () => sent() === 2, 30_000, 'the redelivered message');
      await h.client.workflow.getHandle(`schedule-redeliver:${run.id}`).result();
      expect(sent()).toBe(2);
    } finally {
      await proxy.close();
    }
  }, 90_000);

  it('validates connectors, cron and time zones, and pauses through Temporal', async () => {
    const { program } = await programWithMember(h, []);
    const webhook = await h.call('POST', '/api/v1/connectors', {
      kind: 'webhook',
      name: 'w',
      settings: { url: 'https://x.example' },
      secrets: { signingSecret: `whsec_${Buffer.alloc(32, 1).toString('base64')}` },
    });
    const bad = await h.call('POST', '/api/v1/schedules', { name: 'x', connectorId: webhook.body.id, every: '1h', fields: FIELDS });
    expect(bad.status).toBe(422);
    const conId = await sftpConnector('/incoming');
    expect(
      (await h.call('POST', '/api/v1/schedules', { name: 'x', connectorId: conId, every: '1h', cron: '0 2 * * *', fields: FIELDS })).status,
    ).toBe(422);
    expect(
      (
        await h.call('POST', '/api/v1/schedules', {
          name: 'x',
          connectorId: conId,
          cron: '0 2 * * *',
          timezone: 'Mars/Olympus',
          fields: FIELDS,
        })
      ).status,
    ).toBe(422);
    const ok = await h.call('POST', '/api/v1/schedules', {
      name: 'x',
      connectorId: conId,
      programIds: [program.id],
      cron: '0 2 * * *',
      timezone: 'Europe/Paris',
      fields: FIELDS,
    });
    expect(ok.status).toBe(201);
    const paused = await h.call('PATCH', `/api/v1/schedules/${ok.body.id}`, { paused: true });
    expect(paused.body.paused).toBe(true);
    const described = await waitFor(
      async () => {
        const d = await h.client.schedule.getHandle(`schedule:${ok.body.id}`).describe();
        return d.state.paused ? d : undefined;
      },
      10_000,
      'the Temporal Schedule paused',
    );
    expect(described.spec.timezone).toBe('Europe/Paris');
    expect(described.spec.calendars).toHaveLength(1); // the cron, as Temporal describes it
    expect((await h.call('PATCH', `/api/v1/schedules/${ok.body.id}`, { every: '6h', cron: '0 3 * * *' })).status).toBe(422);
    // From cron to an interval: the row and the Temporal Schedule both switch, and it stays paused.
    const switched = await h.call('PATCH', `/api/v1/schedules/${ok.body.id}`, { every: '6h' });
    expect(switched.status).toBe(200);
    expect([switched.body.every, switched.body.cron]).toEqual(['6h', null]);
    // Temporal applies schedule changes asynchronously: describe shows them a moment later.
    const respec = await waitFor(
      async () => {
        const d = await h.client.schedule.getHandle(`schedule:${ok.body.id}`).describe();
        return d.spec.intervals?.length ? d : undefined;
      },
      10_000,
      'the interval in the Temporal Schedule',
    );
    expect(respec.spec.intervals?.map((i) => i.every)).toEqual([6 * 3600_000]);
    expect(respec.spec.calendars ?? []).toEqual([]); // the cron (described as calendars) is gone
    expect(respec.state.paused).toBe(true);
    // Deliveries start on the sync task queue, apart from referral lifecycles.
    expect(described.action.type === 'startWorkflow' && described.action.taskQueue).toBe(`${h.taskQueue}-sync`);
    expect((await h.call('DELETE', `/api/v1/schedules/${ok.body.id}`)).status).toBe(204);
  });
});
