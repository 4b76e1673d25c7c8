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

  // temporal.yaml asks the test server to suggest continue-as-new after 60 history events. How
  // many events a renewal adds depends on how signals batch into workflow tasks (its database
  // steps are local activities, with no events of their own), so renewals go on past the cap
  // until the first run has continued as new; those beyond the cap must earn nothing.
  let sent = 0;
  const renew = async () => {
    const res = await h.call('POST', '/api/v1/events', {
      programId: program.id,
      referral: { id: referral.id },
      type: 'subscription_renewed',
      idempotencyKey: `r-${++sent}`,
    });
    if (res.status !== 202) throw new Error(`renewal ${sent} answered ${res.status}: ${JSON.stringify(res.body)}`);
  };
  while (sent < CAP + 5) await renew();
  const first = h.client.workflow.getHandle(`referral:${referral.id}`, firstRunId);
  await waitFor(
    async () => {
      if ((await first.describe()).status.name === 'CONTINUED_AS_NEW') return true;
      if (sent < CAP + 200) await renew();
      return undefined;
    },
    60_000,
    'the first run to continue as new',
  );
  await waitForRewards(h, referral.id, CAP, () => true, 30_000);
  await settle(h, referral.id);
  expect(await rewardsOf(h, referral.id)).toHaveLength(CAP);

  expect((await first.describe()).status.name).toBe('CONTINUED_AS_NEW');
  const latest = await handle.describe();
  expect(latest.runId).not.toBe(firstRunId);
  expect(latest.status.name).toBe('RUNNING');
  expect(latest.historyLength).toBeLessThan(200);
});
