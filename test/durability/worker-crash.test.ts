import { afterAll, beforeAll, expect, it } from 'vitest';
import { convert, programWithMember } from '../support/fixtures.js';
import { createHarness, waitFor, type Harness } from '../support/hub-harness.js';
import { startWorkerProcess, type WorkerProcess } from '../support/worker-process.js';

let h: Harness;
const workers: WorkerProcess[] = [];

/** `npm run worker` as a real separate process, so it can really be killed with SIGKILL. */
function startWorker(): WorkerProcess {
  const worker = startWorkerProcess(h);
  workers.push(worker);
  return worker;
}

beforeAll(async () => {
  h = await createHarness({ worker: false });
});
afterAll(async () => {
  for (const worker of workers) await worker.kill();
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
  const first = startWorker();

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
  await first.kill();
  await Promise.all(sends);
  const [atKill] = await h.db.sql`select count(*)::int as n from rewards where program_id = ${program.id}`;
  expect(atKill!.n).toBeLessThan(referrals.length * (2 + RENEWAL_CAP));

  startWorker();
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
