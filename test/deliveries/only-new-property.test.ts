import { mkdirSync, readdirSync, readFileSync, renameSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { programWithMember } from '../support/fixtures.js';
import { createHarness, type Harness } from '../support/hub-harness.js';
import { parseCsv, runAndWait, waitForRun } from '../support/schedule-helpers.js';
import { startSftpTestServer, type SftpTestServer } from '../support/sftp-test-server.js';
import { startWorkerProcess } from '../support/worker-process.js';

let h: Harness;
let sftp: SftpTestServer;
let worker: ReturnType<typeof startWorkerProcess>;
beforeAll(async () => {
  // The worker runs as its own process so a restart is a real SIGKILL.
  h = await createHarness({ worker: false });
  worker = startWorkerProcess(h);
  sftp = await startSftpTestServer({ username: 'p', password: 'pw-prop-1' });
});
afterAll(async () => {
  await worker?.kill();
  await h?.close();
  await sftp?.close();
});

// Deterministic pseudo-random choices, so a failure can be replayed.
function prng(seed: number) {
  return () => {
    seed = (seed * 1103515245 + 12345) % 2 ** 31;
    return seed / 2 ** 31;
  };
}

it('50 runs with concurrent writers, upload failures and worker restarts deliver every record exactly once', async () => {
  const random = prng(20261122);
  const dir = join(sftp.root, 'drop');
  mkdirSync(dir, { recursive: true });
  const { program, member } = await programWithMember(h, []);
  const other = await programWithMember(h, []); // out of scope: must never appear
  const con = await h.call('POST', '/api/v1/connectors', {
    kind: 'sftp',
    name: 'p',
    settings: { host: '127.0.0.1', port: sftp.port, username: 'p', directory: '/drop' },
    secrets: { password: 'pw-prop-1' },
  });
  const sch = await h.call('POST', '/api/v1/schedules', {
    name: 'prop',
    connectorId: con.body.id,
    programIds: [program.id],
    every: '24h',
    fileName: 'r-{runId}.csv',
    fields: [{ target: 'email', source: 'referral.email' }],
  });
  expect(sch.status).toBe(201);

  let writing = true;
  let n = 0;
  const writer = async (target: { program: { id: string }; member: { referralCode: string } }, tag: string) => {
    while (writing) {
      const res = await h.call('POST', '/api/v1/conversions', {
        programId: target.program.id,
        referralCode: target.member.referralCode,
        email: `${tag}-${n++}@prop.example`,
      });
      expect([200, 201]).toContain(res.status);
      // A steady stream, not a flood: every conversion also starts a lifecycle workflow on the
      // same worker, and a flood would only measure that backlog.
      await new Promise((r) => setTimeout(r, 120));
    }
  };
  const writers = [writer({ program, member }, 'in'), writer({ program, member }, 'in'), writer(other, 'out')];

  let failures = 0;
  let restarts = 0;
  const history: string[] = []; // iteration, branch and run, for explaining a failure

  try {
    for (let i = 0; i < 50; i++) {
      const roll = random();
      if (roll < 0.15) {
        // Upload error: the target folder vanishes for this run.
        renameSync(dir, `${dir}-away`);
        const run = await runAndWait(h, sch.body.id);
        renameSync(`${dir}-away`, dir);
        history.push(`${i} upload-error ${run.id} ${run.status}`);
        if (run.status === 'failed') failures++;
      } else if (roll < 0.25) {
        // The worker dies while the run is in flight; a new one picks it up.
        const started = await h.call('POST', `/api/v1/schedules/${sch.body.id}/run`);
        expect(started.status).toBe(202);
        await worker.kill();
        worker = startWorkerProcess(h);
        restarts++;
        const run = await waitForRun(h, sch.body.id, started.body.runId, 60_000);
        history.push(`${i} restart ${run.id} ${run.status}`);
      } else {
        const run = await runAndWait(h, sch.body.id);
        history.push(`${i} plain ${run.id} ${run.status}`);
      }
    }
  } finally {
    writing = false;
    await Promise.all(writers);
  }
  // Drain: failed runs are retried first, then one last range picks up the tail.
  for (let i = 0; i < 5; i++) await runAndWait(h, sch.body.id);

  const runs = (await h.call('GET', `/api/v1/schedules/${sch.body.id}/runs?limit=200`)).body.data;
  expect(runs.filter((r: { status: string }) => r.status === 'failed')).toHaveLength(0);
  const seen = new Map<string, string>();
  for (const file of readdirSync(dir)) {
    for (const [email] of parseCsv(readFileSync(join(dir, file), 'utf8')).slice(1)) {
      if (seen.has(email!)) {
        // Everything needed to tell how two runs came to share a record.
        const ranges = await h.db
          .sql`select id, status, attempts, record_count, file_name, from_txid::text, to_txid::text, started_at, finished_at from schedule_runs where schedule_id = ${sch.body.id} order by from_txid, id`;
        const events = await h.db
          .sql`select e.id, e.subject_id, e.txid::text, e.seq, e.created_at from events e join referrals r on r.id = e.subject_id where e.type = 'referral.created' and r.email = ${email!}`;
        expect.fail(
          `${email} (events ${JSON.stringify(events)}) in ${seen.get(email!)} and ${file}; runs ${JSON.stringify(ranges)}; files ${JSON.stringify(readdirSync(dir))}; history ${JSON.stringify(history)}`,
        );
      }
      seen.set(email!, file);
    }
  }
  const inScope = await h.db.sql<{ email: string }[]>`select email from referrals where program_id = ${program.id}`;
  expect(new Set(seen.keys())).toEqual(new Set(inScope.map((r) => r.email)));
  expect(inScope.length).toBeGreaterThan(50);
  expect(failures + restarts).toBeGreaterThan(5);
}, 360_000);
