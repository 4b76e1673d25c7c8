import { afterAll, beforeAll, expect, it } from 'vitest';
import { convert, programWithMember } from '../support/fixtures.js';
import { createHarness, waitFor, type Harness } from '../support/hub-harness.js';
import { payoutProbe, type PayoutProbe } from '../support/payout-probe.js';
import { startTremendousFake, type TremendousFake } from '../support/tremendous-fake.js';
import { startWorkerProcess, type WorkerProcess } from '../support/worker-process.js';

const TREMENDOUS_KEY = 'TEST_Kq9vX2mL7pR4sT8wY1zA3bC6dE5fG0hJ';
// The send activity's startToCloseTimeout: how long Temporal gives a send before it tries again.
const SEND_TIMEOUT_MS = 20_000;

let h: Harness;
let probe: PayoutProbe;
let tremendous: TremendousFake;
const workers: WorkerProcess[] = [];

/** `npm run worker` as a real separate process, so it can really be killed with SIGKILL. */
async function startWorker(): Promise<WorkerProcess> {
  const worker = startWorkerProcess(h, { captureOutput: true });
  workers.push(worker);
  await worker.started();
  return worker;
}

beforeAll(async () => {
  h = await createHarness({ worker: false });
  probe = payoutProbe(h);
  tremendous = await startTremendousFake({ apiKey: TREMENDOUS_KEY, deliverAfterReads: 1 });
}, 120_000);
afterAll(async () => {
  for (const worker of workers) await worker.kill();
  await tremendous?.close();
  await h?.close();
});

it('a worker killed after Tremendous took the order but before the hub recorded it: after a restart one order exists and the payout is paid once', async () => {
  const { program, member } = await programWithMember(h, [
    { name: 'Referrer cash', trigger: 'conversion', recipient: 'member', amount: { type: 'fixed', value: 20 }, kind: 'cash' },
  ]);
  const connector = await h.call('POST', '/api/v1/connectors', {
    kind: 'tremendous',
    name: 'Tremendous',
    settings: { baseUrl: tremendous.url, rewardKinds: ['cash'], campaignId: 'CAMP1' },
    secrets: { apiKey: TREMENDOUS_KEY },
    programIds: [program.id],
  });
  expect(connector.status, JSON.stringify(connector.body)).toBe(201);
  const first = await startWorker();

  // Tremendous places the order and keeps its answer: the worker is still waiting for it when it dies.
  tremendous.forceNext({ holdAfterCommit: true });
  await convert(h, program.id, member.referralCode);
  await waitFor(async () => tremendous.held === 1, 30_000, 'Tremendous holding the answer to the order');
  const [order] = [...tremendous.orders.values()];
  const sending = await probe.waitForStatus(member.id, 'sending');
  expect(order!.externalId).toBe(sending.id);
  expect(sending.providerReference).toBeNull();

  await first.kill('SIGKILL');
  // The answer goes out after the worker is gone: nobody reads it.
  tremendous.releaseHeld('answer');
  expect((await probe.get(sending.id)).status).toBe('sending');

  await startWorker();
  const paid = await probe.waitForStatus(member.id, 'paid', 60_000);
  expect(paid).toMatchObject({ id: sending.id, attempts: 1, providerReference: `${order!.id}/${order!.reward.id}` });
  expect((await probe.rewards(paid.id)).map((r) => r.status)).toEqual(['paid']);

  // One order, asked for twice with the same external_id and payload; the second time only after
  // Temporal gave up on the dead worker's send.
  expect(tremendous.orders.size).toBe(1);
  const creates = tremendous.requests.filter((r) => r.method === 'POST');
  expect(creates.map((r) => JSON.parse(r.body).external_id)).toEqual([paid.id, paid.id]);
  expect(creates[1]!.body).toBe(creates[0]!.body);
  expect(creates[1]!.at - creates[0]!.at).toBeGreaterThanOrEqual(SEND_TIMEOUT_MS);
  expect(tremendous.balance).toBe(980);

  const events = await probe.events(paid.id);
  expect(events.filter((type) => type === 'payout.paid')).toHaveLength(1);
  expect(events.filter((type) => type === 'reward.paid')).toHaveLength(1);
  expect(events).not.toContain('payout.failed');
  await waitFor(async () => (await probe.workflow(paid.id)).status === 'COMPLETED', 10_000, 'the payout workflow ended');
}, 90_000);
