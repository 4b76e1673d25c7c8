import { afterAll, beforeAll, expect, it } from 'vitest';
import { convert, programWithMember, rewardsOf, settle, waitForRewards } from '../support/fixtures.js';
import { createHarness, waitFor, type Harness } from '../support/hub-harness.js';

let h: Harness;
beforeAll(async () => {
  h = await createHarness();
});
afterAll(async () => {
  await h?.close();
});

it('a long-lived referral continues as new and keeps counting its recurring cap', async () => {
  const CAP = 25;
  const { program, member } = await programWithMember(h, [
    {
      name: 'Renewals',
      trigger: 'subscription_renewed',
      recipient: 'member',
      amount: { type: 'fixed', value: 1 },
      kind: 'points',
      limits: { maxPerReferral: CAP },
    },
  ]);
  const referral = await convert(h, program.id, member.referralCode);
  const handle = h.client.workflow.getHandle(`referral:${referral.id}`);
  const firstRunId = await waitFor(async () => (await handle.describe()).runId, 15_000, 'workflow started');

  // temporal.yaml asks the test server to suggest continue-as-new after 60 history events;
  // each renewal adds a signal and an activity (several events), so this crosses it more than once.
  for (let i = 1; i <= CAP + 5; i++) {
    const res = await h.call('POST', '/api/v1/events', {
      programId: program.id,
      referral: { id: referral.id },
      type: 'subscription_renewed',
      idempotencyKey: `r-${i}`,
    });
    expect(res.status).toBe(202);
  }
  await waitForRewards(h, referral.id, CAP, () => true, 30_000);
  await settle(h, referral.id);
  expect(await rewardsOf(h, referral.id)).toHaveLength(CAP);

  const first = await h.client.workflow.getHandle(`referral:${referral.id}`, firstRunId).describe();
  expect(first.status.name).toBe('CONTINUED_AS_NEW');
  const latest = await handle.describe();
  expect(latest.runId).not.toBe(firstRunId);
  expect(latest.status.name).toBe('RUNNING');
  expect(latest.historyLength).toBeLessThan(200);
});
