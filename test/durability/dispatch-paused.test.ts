import { afterAll, beforeAll, expect, it } from 'vitest';
import { createLogger } from '../../lib/logger.js';
import { createSession } from '../../schema/db.js';
import { createLifecycleDispatcher, lifecycleBacklog } from '../../workflows/dispatch/lifecycle-dispatcher.js';
import { referralWorkflowId } from '../../workflows/sandboxed/referral-signal.js';
import { convert, programWithMember } from '../support/fixtures.js';
import { createHarness, waitFor, type Harness } from '../support/hub-harness.js';

let h: Harness;
beforeAll(async () => {
  // A fast sweep and a short backlog bound: with dispatch on, both would show within the test.
  h = await createHarness({ dispatch: 'off', sweepMs: 100, readyMaxBacklogAgeMs: 500 });
});
afterAll(async () => {
  await h?.close();
});

const readyz = async () => {
  const res = await h.app.request('/readyz');
  return { status: res.status, body: await res.json() };
};
const metric = async (name: string) => {
  const text = await (await h.app.request('/metrics')).text();
  return Number(new RegExp(`^${name} (\\S+)$`, 'm').exec(text)?.[1]);
};
const workflowExists = (referralId: string) =>
  h.client.workflow
    .getHandle(referralWorkflowId(referralId))
    .describe()
    .then(
      () => true,
      (err: Error) => {
        if (err.name === 'WorkflowNotFoundError') return false;
        throw err;
      },
    );

it('HUB_DISPATCH=off accepts facts, hands none to Temporal, stays ready, and a hub with dispatch on sends the backlog', async () => {
  const { program, member } = await programWithMember(h, []);
  const referral = await convert(h, program.id, member.referralCode);
  expect(referral.id).toMatch(/^ref_/);

  // Many sweeps and the request's nudge later, the event is still waiting and no workflow exists.
  await new Promise((r) => setTimeout(r, 1500));
  expect((await lifecycleBacklog(h.db.sql)).count).toBe(1);
  expect(await workflowExists(referral.id)).toBe(false);

  // Left on purpose, so older than the readiness bound and still ready: this hub keeps taking facts.
  expect(await readyz()).toMatchObject({
    status: 200,
    body: { status: 'ready', reasons: [], dispatch: { paused: true, stalled: false, backlog: 1 } },
  });
  expect(await metric('referral_hub_dispatch_paused')).toBe(1);

  // Dispatch back on (a hub started without HUB_DISPATCH=off): the waiting fact goes to Temporal.
  const resumed = createLifecycleDispatcher({
    openSession: () => createSession(h.databaseUrl, { applicationName: 'referral-hub-dispatcher', statementTimeoutMs: 15_000 }),
    client: h.client,
    taskQueue: h.taskQueue,
    logger: createLogger('silent'),
  });
  try {
    resumed.start(100);
    await waitFor(async () => (await lifecycleBacklog(h.db.sql)).count === 0, 20_000, 'backlog dispatched');
    expect(await workflowExists(referral.id)).toBe(true);
    expect(resumed.health().paused).toBe(false);
  } finally {
    await resumed.stop();
  }
});
