import { afterAll, beforeAll, expect, it } from 'vitest';
import { convert, programWithMember } from '../support/fixtures.js';
import { createHarness, waitFor, type Harness } from '../support/hub-harness.js';
import { lifecycleBacklog } from '../../workflows/dispatch/lifecycle-dispatcher.js';

const EVENTS = 480;

let h: Harness;
const errors: string[] = [];
beforeAll(async () => {
  // A stall bound far shorter than one batch takes: the events below all belong to one
  // referral, so they are signalled one after another (a few ms each), over a second or more.
  // No worker: the signals only have to be accepted.
  h = await createHarness({
    sweepMs: 300,
    dispatcherStallAfterMs: 1000,
    worker: false,
    logLevel: 'error',
    logDestination: { write: (line: string) => void errors.push(line) },
  });
});
afterAll(async () => {
  await h?.close();
});

it('a batch that takes longer than the stall bound still gets through: its progress is saved as it goes, so the watchdog does not start it over', async () => {
  const { program, member } = await programWithMember(h, []);
  const referral = (await convert(h, program.id, member.referralCode)) as { id: string };
  await waitFor(async () => (await lifecycleBacklog(h.db.sql)).count === 0, 30_000, 'the conversion dispatched');

  // One transaction, so they are one batch (fewer than its 500 rows) for one workflow.
  await h.db.sql`
    insert into events (id, type, program_id, subject_id, payload)
    select 'evt_slow_' || g, 'referral.status_changed', ${program.id}, ${referral.id}, '{"status": "pending"}'
    from generate_series(1, ${EVENTS}) g`;
  expect((await lifecycleBacklog(h.db.sql)).count).toBe(EVENTS);

  // A pass that only moved its cursor at the end of its batch was cut off by the watchdog before
  // that, again and again (it got through only when a pass happened to be fast enough).
  await waitFor(async () => (await lifecycleBacklog(h.db.sql)).count === 0, 30_000, 'the slow batch dispatched');
  expect(errors.filter((line) => line.includes('made no progress'))).toEqual([]);
  expect(h.dispatcher.health().stalled).toBe(false);
}, 60_000);
