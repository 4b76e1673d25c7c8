import { afterAll, beforeAll, expect, it } from 'vitest';
import { convert, programWithMember } from '../support/fixtures.js';
import { createHarness, waitFor, type Harness } from '../support/hub-harness.js';
import { payoutProbe, type PayoutProbe } from '../support/payout-probe.js';
import { startTremendousFake, type TremendousFake } from '../support/tremendous-fake.js';

const TREMENDOUS_KEY = 'TEST_Kq9vX2mL7pR4sT8wY1zA3bC6dE5fG0hJ';
const WRONG_TREMENDOUS_KEY = 'TEST_revoked_0000000000000000000000000';

let h: Harness;
let probe: PayoutProbe;
let tremendous: TremendousFake;

beforeAll(async () => {
  h = await createHarness();
  probe = payoutProbe(h);
  tremendous = await startTremendousFake({ apiKey: TREMENDOUS_KEY, deliverAfterReads: 1 });
}, 120_000);
afterAll(async () => {
  await tremendous?.close();
  await h?.close();
});

/** Statements of this test's database waiting for a row lock. */
async function lockWaits(): Promise<number> {
  const [row] = await h.db.sql`
    select count(*)::int as n from pg_stat_activity where datname = current_database() and wait_event_type = 'Lock'`;
  return row!.n;
}

it('a retry that lands while the failed payout’s workflow is finishing (its last read said "done") is still sent', async () => {
  const { program, member } = await programWithMember(h, [
    { name: 'Referrer cash', trigger: 'conversion', recipient: 'member', amount: { type: 'fixed', value: 20 }, kind: 'cash' },
  ]);
  const connector = await h.call('POST', '/api/v1/connectors', {
    kind: 'tremendous',
    name: 'Tremendous',
    settings: { baseUrl: tremendous.url, rewardKinds: ['cash'], campaignId: 'CAMP1' },
    secrets: { apiKey: WRONG_TREMENDOUS_KEY },
    programIds: [program.id],
  });
  expect(connector.status, JSON.stringify(connector.body)).toBe(201);

  // The send is refused (401) with its answer held, and the worker told to stop meanwhile: the
  // payout is failed, and the workflow has not yet looked at it again.
  tremendous.forceNext({ holdAfterCommit: true });
  await convert(h, program.id, member.referralCode);
  await waitFor(async () => tremendous.held === 1, 30_000, 'the refused send held');
  const stopped = h.stopWorker();
  tremendous.releaseHeld('answer');
  await stopped;
  const failed = await probe.waitForStatus(member.id, 'failed');
  expect(failed.failureCode).toBe('auth');

  // That look (preparePayout) starts but waits on the payout's row, and the worker is stopped
  // while it waits: once it has read "failed" nothing runs the workflow's next step.
  let release!: () => void;
  const released = new Promise<void>((resolve) => (release = resolve));
  const locked = h.db.sql.begin(async (tx) => {
    await tx`select id from payouts where id = ${failed.id} for update`;
    await released;
  });
  await h.startWorker();
  await waitFor(async () => (await lockWaits()) === 1, 15_000, 'preparePayout waiting on the payout row');
  const stopping = h.stopWorker();
  release();
  await locked;
  await stopping;

  // Fixed key, retried: the wake reaches the workflow together with that "done".
  const fixed = await h.call('PATCH', `/api/v1/connectors/${connector.body.id}`, { secrets: { apiKey: TREMENDOUS_KEY } });
  expect(fixed.status, JSON.stringify(fixed.body)).toBe(200);
  const retried = await h.call('POST', `/api/v1/payouts/${failed.id}/retry`);
  expect(retried.status, JSON.stringify(retried.body)).toBe(202);
  await waitFor(
    async () => {
      const history = await h.client.workflow.getHandle(`payout:${failed.id}`).fetchHistory();
      return history.events?.some((event) => event.workflowExecutionSignaledEventAttributes) ?? false;
    },
    15_000,
    'the retry signalled to the workflow',
  );
  expect((await probe.workflow(failed.id)).status).toBe('RUNNING');

  await h.startWorker();
  const paid = await probe.waitForStatus(member.id, 'paid', 30_000);
  expect(paid).toMatchObject({ id: failed.id, attempts: 2 });
  expect([...tremendous.orders.values()].map((o) => o.externalId)).toEqual([failed.id]);
  expect((await probe.rewards(paid.id)).map((r) => r.status)).toEqual(['paid']);
}, 90_000);
