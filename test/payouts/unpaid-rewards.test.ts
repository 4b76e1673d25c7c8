import { afterAll, beforeAll, expect, it } from 'vitest';
import { convert, programWithMember, rewardsOf, settle, waitForRewards } from '../support/fixtures.js';
import { createHarness, type Harness } from '../support/hub-harness.js';
import { createConnector, memberRewards, payoutsOf, sleep, waitForPayout } from '../support/payout-fixtures.js';
import { startTremendousFake, type TremendousFake } from '../support/tremendous-fake.js';

const API_KEY = 'TEST_unpaidRewardsKey_0123456789abcdef';

let h: Harness;
let fake: TremendousFake;

beforeAll(async () => {
  h = await createHarness();
  fake = await startTremendousFake({ apiKey: API_KEY, campaigns: ['CAMP1'], deliverAfterReads: 1 });
}, 120_000);
afterAll(async () => {
  await fake?.close();
  await h?.close();
});

const orderFor = (payoutId: string) => [...fake.orders.values()].filter((o) => o.externalId === payoutId);

/** A program paying every reward through Tremendous as soon as it is approved. */
async function programPaidByTremendous(rules: unknown[]) {
  const { program, member } = await programWithMember(h, rules);
  await createConnector(h, {
    kind: 'tremendous',
    name: `Tremendous ${program.slug}`,
    settings: { baseUrl: fake.url, rewardKinds: ['cash'], campaignId: 'CAMP1' },
    secrets: { apiKey: API_KEY },
    programIds: [program.id],
  });
  return { program, member };
}

const event = (programId: string, referralId: string, type: string, key: string) =>
  h.call('POST', '/api/v1/events', { programId, referral: { id: referralId }, type, amount: 100, idempotencyKey: key });

it('a reward cancelled by a refund inside its hold is never paid, while the same reward without a refund is', async () => {
  const { program, member } = await programPaidByTremendous([
    { name: 'Purchase', trigger: 'purchase', recipient: 'member', amount: { type: 'fixed', value: 25 }, kind: 'cash', hold: '3s' },
  ]);
  const refunded = await convert(h, program.id, member.referralCode);
  const kept = await convert(h, program.id, member.referralCode);
  expect((await event(program.id, refunded.id, 'purchase', 'buy-1')).status).toBe(202);
  expect((await event(program.id, kept.id, 'purchase', 'buy-2')).status).toBe(202);
  const [held] = await waitForRewards(h, refunded.id, 1, (r) => r.status === 'held');
  expect(new Date(held.holdUntil).getTime()).toBeGreaterThan(Date.now());
  expect((await event(program.id, refunded.id, 'refund', 'refund-1')).status).toBe(202);
  await waitForRewards(h, refunded.id, 1, (r) => r.status === 'cancelled');

  // The kept reward's hold ends and it is paid: the setup pays what it may.
  const [keptReward] = await waitForRewards(h, kept.id, 1, (r) => r.status === 'paid', 20_000);
  // Well past the cancelled reward's hold, with every event handed on.
  const waitMs = new Date(held.holdUntil).getTime() + 2000 - Date.now();
  if (waitMs > 0) await sleep(waitMs);
  await settle(h, refunded.id, 1000);

  const [cancelled] = await rewardsOf(h, refunded.id);
  expect(cancelled).toMatchObject({ id: held.id, status: 'cancelled', payoutId: null, payoutProvider: null });
  const payouts = await payoutsOf(h, member.id);
  expect(payouts).toEqual([expect.objectContaining({ status: 'paid', amount: 25, rewardIds: [keptReward.id] })]);
  expect([...fake.orders.values()].map((o) => o.externalId)).toEqual([payouts[0].id]);
  expect(await h.db.sql`select id from payouts where ${held.id} = any(reward_ids)`).toHaveLength(0);
}, 60_000);

it('a denied reward is never paid, while an approved one of the same rule is', async () => {
  const { program, member } = await programPaidByTremendous([
    { name: 'Upgrade', trigger: 'upgrade', recipient: 'member', amount: { type: 'fixed', value: 40 }, kind: 'cash', approval: 'manual' },
  ]);
  const deniedReferral = await convert(h, program.id, member.referralCode);
  const approvedReferral = await convert(h, program.id, member.referralCode);
  await event(program.id, deniedReferral.id, 'upgrade', 'up-1');
  await event(program.id, approvedReferral.id, 'upgrade', 'up-2');
  const [toDeny] = await waitForRewards(h, deniedReferral.id, 1, (r) => r.status === 'pending');
  const [toApprove] = await waitForRewards(h, approvedReferral.id, 1, (r) => r.status === 'pending');
  // Pending a person's decision, nothing is planned.
  expect(await payoutsOf(h, member.id)).toEqual([]);

  const denied = await h.call('POST', `/api/v1/rewards/${toDeny.id}/deny`);
  expect(denied.status).toBe(200);
  expect(denied.body).toMatchObject({ status: 'denied', payoutId: null });
  const approved = await h.call('POST', `/api/v1/rewards/${toApprove.id}/approve`);
  expect(approved.status).toBe(200);
  const payout = await waitForPayout(h, member.id, (p) => p.status === 'paid', 20_000, 'the approved reward paid');
  expect(payout).toMatchObject({ amount: 40, rewardIds: [toApprove.id] });
  await settle(h, deniedReferral.id, 1500);

  expect(await payoutsOf(h, member.id)).toHaveLength(1);
  expect(orderFor(payout.id)).toHaveLength(1);
  // Every order at Tremendous belongs to a payout, and none of them carries the denied reward.
  const ordered = [...fake.orders.values()].map((o) => o.externalId!);
  const orderedPayouts = await h.db.sql`select id, reward_ids from payouts where id = any(${ordered})`;
  expect(orderedPayouts).toHaveLength(ordered.length);
  expect(orderedPayouts.flatMap((p) => p.reward_ids)).not.toContain(toDeny.id);
  const rewards = await memberRewards(h, member.id);
  expect(rewards.find((r) => r.id === toDeny.id)).toMatchObject({ status: 'denied', payoutId: null });
  expect(rewards.find((r) => r.id === toApprove.id)).toMatchObject({ status: 'paid', payoutId: payout.id });
}, 60_000);
