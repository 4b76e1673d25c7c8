import postgres from 'postgres';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { convert, programWithMember } from '../support/fixtures.js';
import { createHarness, waitFor, type Harness } from '../support/hub-harness.js';
import { lifecycleBacklog } from '../../workflows/dispatch/lifecycle-dispatcher.js';

let h: Harness;
let blocker: postgres.Sql;
beforeAll(async () => {
  // Short bounds so a stall shows within seconds; the session's own statement deadline is
  // longer than the watchdog's, so it is the watchdog that has to end a blocked pass.
  h = await createHarness({
    sweepMs: 300,
    dispatcherStallAfterMs: 2000,
    dispatcherStatementTimeoutMs: 120_000,
    readyMaxBacklogAgeMs: 3000,
  });
  blocker = postgres(h.databaseUrl, { max: 1, onnotice: () => {} });
});
afterAll(async () => {
  await blocker?.end({ timeout: 5 });
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
/** The dispatcher's backends waiting on a lock (its cursor update, held up by the blocker). */
const blockedDispatcherPids = async () =>
  (
    await h.db.sql<{ pid: number }[]>`
  select pid from pg_stat_activity
  where datname = current_database() and application_name = 'referral-hub-dispatcher' and wait_event_type = 'Lock'`
  ).map((r) => r.pid);

it('/readyz is 503 with the reasons while the dispatcher is blocked, the watchdog frees the leader lock, and all is well once it is unblocked', async () => {
  // No reward rules: a reward's payout would add events of its own and make the backlog a race.
  const { program, member } = await programWithMember(h, []);
  await convert(h, program.id, member.referralCode);
  await waitFor(async () => (await lifecycleBacklog(h.db.sql)).count === 0, 30_000, 'backlog drained');
  expect(await readyz()).toMatchObject({ status: 200, body: { status: 'ready', reasons: [], dispatch: { stalled: false, backlog: 0 } } });
  expect(await metric('referral_hub_dispatcher_stalled')).toBe(0);

  // Somebody holds the cursor table: the dispatcher still reads and signals, but can never
  // move its cursor (a table lock takes no transaction id, so the event log stays readable).
  let unblock!: () => void;
  const released = new Promise<void>((r) => {
    unblock = r;
  });
  let locked!: () => void;
  const lockHeld = new Promise<void>((r) => {
    locked = r;
  });
  const holding = blocker.begin(async (tx) => {
    await tx`lock table dispatch_cursors in exclusive mode`;
    locked();
    await released;
  });
  holding.catch(() => {}); // awaited below; a failure before that must not go unhandled
  // The conversions come only once the lock is held: otherwise the first one's cursor update can
  // slip in ahead of the blocker on a busy machine, and only one event would be left waiting.
  await lockHeld;
  await convert(h, program.id, member.referralCode);
  await convert(h, program.id, member.referralCode);

  // The pass blocked on its cursor update is abandoned: its session ends, so its backend (and
  // the leader lock it held) go away instead of waiting for as long as the blocker does.
  const [firstBlocked] = await waitFor(
    async () => {
      const pids = await blockedDispatcherPids();
      return pids.length > 0 && pids;
    },
    15_000,
    'a blocked pass',
  );
  await waitFor(async () => !(await blockedDispatcherPids()).includes(firstBlocked!), 15_000, 'the blocked pass cut off by the watchdog');

  const stalled = await waitFor(
    async () => {
      const r = await readyz();
      return r.status === 503 && r.body.reasons.length >= 2 && r;
    },
    20_000,
    '/readyz reporting the stall and the backlog age',
  );
  expect(stalled.body).toMatchObject({
    status: 'unavailable',
    checks: { database: true, temporal: true },
    dispatch: { stalled: true, backlog: 2 },
  });
  expect(stalled.body.reasons).toEqual([
    expect.stringMatching(/^dispatcher: stalled, no progress for \d+ s/),
    expect.stringMatching(/^backlog: the oldest of 2 undispatched referral events is \d+ s old \(limit 3 s\)$/),
  ]);
  expect(await metric('referral_hub_dispatcher_stalled')).toBe(1);
  expect(await metric('referral_hub_dispatch_pending')).toBe(2);

  unblock();
  await holding;
  await waitFor(async () => (await lifecycleBacklog(h.db.sql)).count === 0, 30_000, 'backlog drained after the blocker went away');
  await waitFor(async () => (await readyz()).status === 200, 10_000, '/readyz ready again');
  expect((await readyz()).body.reasons).toEqual([]);
  expect(await metric('referral_hub_dispatcher_stalled')).toBe(0);
}, 120_000);
