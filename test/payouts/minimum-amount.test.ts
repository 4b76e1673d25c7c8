import { afterAll, beforeAll, expect, it } from 'vitest';
import { convert, programWithMember, settle, waitForRewards } from '../support/fixtures.js';
import { createHarness, type Harness } from '../support/hub-harness.js';
import { createConnector, memberRewards, payoutsOf, waitForPayout } from '../support/payout-fixtures.js';

let h: Harness;

beforeAll(async () => {
  h = await createHarness();
  // Paid by hand, for every program: nothing external to stand in for.
  await createConnector(h, { kind: 'manual', name: 'Bank transfers', settings: { rewardKinds: ['cash'] } });
}, 120_000);
afterAll(async () => {
  await h?.close();
});

const fifteenPerConversion = [
  { name: 'Referrer cash', trigger: 'conversion', recipient: 'member', amount: { type: 'fixed', value: 15 }, kind: 'cash' },
];

async function programWithMinimum(minimumAmount: number) {
  const { program, member } = await programWithMember(h, fifteenPerConversion);
  const patched = await h.call('PATCH', `/api/v1/programs/${program.id}`, { payouts: { minimumAmount } });
  expect(patched.status, JSON.stringify(patched.body)).toBe(200);
  expect(patched.body.payouts).toEqual({ minimumAmount, autoPay: true, dailyCapPerMember: null });
  return { program, member };
}

it('minimumAmount 30 with three approved $15 rewards: one $30 payout of the first two, the third waits unpaid', async () => {
  const { program, member } = await programWithMinimum(30);

  const first = await convert(h, program.id, member.referralCode);
  const [r1] = await waitForRewards(h, first.id, 1, (r) => r.status === 'approved');
  await settle(h, first.id, 500);
  // $15 alone is below the minimum: no payout yet, the reward stays approved and unclaimed.
  expect(await payoutsOf(h, member.id)).toEqual([]);
  expect((await waitForRewards(h, first.id, 1))[0]).toMatchObject({ status: 'approved', payoutId: null });

  const second = await convert(h, program.id, member.referralCode);
  const [r2] = await waitForRewards(h, second.id, 1, (r) => r.payoutId !== null);
  const payout = await waitForPayout(h, member.id, (p) => p.status === 'sent', 20_000, 'the $30 payout sent to the manual connector');
  expect(payout).toMatchObject({ amount: 30, currency: 'USD', rewardKind: 'cash', provider: 'manual', rewardIds: [r1!.id, r2!.id] });

  const third = await convert(h, program.id, member.referralCode);
  const [r3] = await waitForRewards(h, third.id, 1, (r) => r.status === 'approved');
  await settle(h, third.id, 1500);

  expect(await payoutsOf(h, member.id)).toEqual([expect.objectContaining({ id: payout.id, amount: 30 })]);
  const rewards = await memberRewards(h, member.id);
  const byId = new Map(rewards.map((r) => [r.id, r]));
  expect(byId.get(r1!.id)).toMatchObject({ status: 'paying', payoutId: payout.id });
  expect(byId.get(r2!.id)).toMatchObject({ status: 'paying', payoutId: payout.id });
  expect(byId.get(r3!.id)).toMatchObject({ status: 'approved', payoutId: null, payoutProvider: null });
  expect(await h.db.sql`select id from payouts where ${r3!.id} = any(reward_ids)`).toHaveLength(0);
}, 60_000);

it('three $15 rewards approved at once still make exactly one $30 payout of two of them', async () => {
  const { program, member } = await programWithMinimum(30);
  // Three referrals converting together: their approvals race for the member's payout planning.
  const referrals = await Promise.all([1, 2, 3].map(() => convert(h, program.id, member.referralCode)));
  for (const r of referrals) await waitForRewards(h, r.id, 1);
  const payout = await waitForPayout(h, member.id, (p) => p.amount === 30, 20_000, 'the $30 payout');
  await settle(h, referrals[0].id, 1500);

  expect(await payoutsOf(h, member.id)).toHaveLength(1);
  const rewards = await memberRewards(h, member.id);
  expect(rewards).toHaveLength(3);
  const inPayout = rewards.filter((r) => r.payoutId === payout.id);
  expect(inPayout.map((r) => r.id).sort()).toEqual([...payout.rewardIds].sort());
  expect(inPayout).toHaveLength(2);
  expect(rewards.filter((r) => r.payoutId === null)).toEqual([expect.objectContaining({ status: 'approved' })]);
}, 60_000);
