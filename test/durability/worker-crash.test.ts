import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, expect, inject, it } from 'vitest';
import { convert, programWithMember } from '../support/fixtures.js';
import { createHarness, TEST_SECRET_KEY, waitFor, type Harness } from '../support/hub-harness.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
let h: Harness;
const children: ChildProcess[] = [];

/** `npm run worker` as a real separate process, so it can really be killed with SIGKILL. */
function startWorkerProcess(): ChildProcess {
  const child = spawn(process.execPath, ['--import', 'tsx', 'workflows/worker/main.ts'], {
    cwd: ROOT,
    stdio: ['ignore', 'ignore', 'inherit'],
    env: {
      ...process.env,
      DATABASE_URL: h.databaseUrl,
      TEMPORAL_ADDRESS: inject('temporalAddress'),
      TEMPORAL_TASK_QUEUE: h.taskQueue,
      TEMPORAL_WORKFLOW_BUNDLE: inject('workflowBundlePath'),
      HUB_SECRET_KEY: TEST_SECRET_KEY,
      LOG_LEVEL: 'error',
    },
  });
  children.push(child);
  return child;
}

beforeAll(async () => {
  h = await createHarness({ worker: false });
});
afterAll(async () => {
  for (const c of children) if (c.exitCode === null) c.kill('SIGKILL');
  await h?.close();
});

it('a worker killed mid-lifecycle and restarted still gives every reward exactly once', async () => {
  const RENEWAL_CAP = 4;
  const { program, member } = await programWithMember(h, [
    { name: 'Conversion', trigger: 'conversion', recipient: 'member', amount: { type: 'fixed', value: 20 }, kind: 'cash' },
    {
      name: 'Renewals',
      trigger: 'subscription_renewed',
      recipient: 'member',
      amount: { type: 'percent', value: 10 },
      kind: 'cash',
      limits: { maxPerReferral: RENEWAL_CAP },
    },
    { name: 'Purchase', trigger: 'purchase', recipient: 'member', amount: { type: 'fixed', value: 5 }, kind: 'cash', hold: '3s' },
  ]);
  const first = startWorkerProcess();

  const referrals = [];
  for (let i = 0; i < 8; i++) referrals.push(await convert(h, program.id, member.referralCode));
  const sends: Promise<unknown>[] = [];
  for (const r of referrals) {
    sends.push(
      h.call('POST', '/api/v1/events', {
        programId: program.id,
        referral: { id: r.id },
        type: 'purchase',
        amount: 10,
        idempotencyKey: `buy-${r.id}`,
      }),
    );
    for (let n = 1; n <= RENEWAL_CAP + 2; n++) {
      sends.push(
        h.call('POST', '/api/v1/events', {
          programId: program.id,
          referral: { id: r.id },
          type: 'subscription_renewed',
          amount: 30,
          idempotencyKey: `inv-${r.id}-${n}`,
        }),
      );
    }
  }

  // Kill it while it is busy: some rewards exist, the lifecycle is far from done.
  await waitFor(
    async () => {
      const [row] = await h.db.sql`select count(*)::int as n from rewards where program_id = ${program.id}`;
      return row!.n >= 3;
    },
    60_000,
    'first rewards',
  );
  first.kill('SIGKILL');
  await new Promise((resolve) => first.once('exit', resolve));
  await Promise.all(sends);
  const [atKill] = await h.db.sql`select count(*)::int as n from rewards where program_id = ${program.id}`;
  expect(atKill!.n).toBeLessThan(referrals.length * (2 + RENEWAL_CAP));

  startWorkerProcess();
  const expectedPerReferral = 1 + RENEWAL_CAP + 1;
  await waitFor(
    async () => {
      const rows = await h.db.sql`select count(*)::int as n from rewards where program_id = ${program.id} and status = 'approved'`;
      return rows[0]!.n === referrals.length * expectedPerReferral;
    },
    90_000,
    'all rewards approved after restart',
  );

  // Exactly once: per referral and rule, the right count; one reward.created per reward.
  const perRule = await h.db.sql`
    select r.referral_id, rr.name, count(*)::int as n from rewards r join reward_rules rr on rr.id = r.rule_id
    where r.program_id = ${program.id} group by 1, 2`;
  for (const row of perRule) expect(row.n).toBe(row.name === 'Renewals' ? RENEWAL_CAP : 1);
  expect(perRule).toHaveLength(referrals.length * 3);
  const [created] = await h.db
    .sql`select count(*)::int as n, count(distinct subject_id)::int as d from events where type = 'reward.created' and program_id = ${program.id}`;
  expect(created!.n).toBe(referrals.length * expectedPerReferral);
  expect(created!.d).toBe(created!.n);
}, 180_000);
