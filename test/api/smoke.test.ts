import { afterAll, beforeAll, expect, it } from 'vitest';
import { convert, programWithMember, waitForRewards } from '../support/fixtures.js';
import { createHarness, type Harness } from '../support/hub-harness.js';

let h: Harness;
beforeAll(async () => {
  h = await createHarness();
});
afterAll(async () => {
  await h?.close();
});

it('a conversion earns the conversion rewards through the workflow', async () => {
  const { program, member } = await programWithMember(h, [
    { name: 'Referrer bonus', trigger: 'conversion', recipient: 'member', amount: { type: 'fixed', value: 20 }, kind: 'cash' },
    { name: 'Friend discount', trigger: 'conversion', recipient: 'referral', amount: { type: 'fixed', value: 10 }, kind: 'coupon' },
  ]);
  expect(member.referralUrl).toBe(`http://hub.test/r/${member.referralCode}`);
  const referral = await convert(h, program.id, member.referralCode, { amount: 120 });
  const rewards = await waitForRewards(h, referral.id, 2);
  expect(rewards.map((r) => [r.recipient, r.amount, r.status, r.kind]).sort()).toEqual([
    ['member', 20, 'approved', 'cash'],
    ['referral', 10, 'approved', 'coupon'],
  ]);
});
