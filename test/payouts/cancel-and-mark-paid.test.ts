import { afterAll, beforeAll, expect, it } from 'vitest';
import { convert, programWithMember, rewardsOf, settle, waitForRewards } from '../support/fixtures.js';
import { createHarness, waitFor, type Harness } from '../support/hub-harness.js';
import { createConnector, eventTypesOf, payoutsOf, waitForPayout } from '../support/payout-fixtures.js';
import { startTremendousFake, type TremendousFake } from '../support/tremendous-fake.js';

const API_KEY = 'TEST_payoutActionsKey_0123456789abcdef';

let h: Harness;
let fake: TremendousFake;

beforeAll(async () => {
  h = await createHarness();
  // Orders are placed but their delivery never completes here, so Tremendous payouts stay `sent`.
  fake = await startTremendousFake({ apiKey: API_KEY, campaigns: ['CAMP1'], deliverAfterReads: 1_000_000 });
  // For every program: gift cards through Tremendous, cash by hand; nothing pays points.
  await createConnector(h, {
    kind: 'tremendous',
    name: 'Tremendous',
    settings: { baseUrl: fake.url, rewardKinds: ['gift_card'], campaignId: 'CAMP1' },
    secrets: { apiKey: API_KEY },
  });
  await createConnector(h, { kind: 'manual', name: 'Bank transfers', settings: { rewardKinds: ['cash'] } });
}, 120_000);
afterAll(async () => {
  await fake?.close();
  await h?.close();
});

const ruleOf = (kind: string, value = 20) => [
  { name: `${kind} reward`, trigger: 'conversion', recipient: 'member', amount: { type: 'fixed', value }, kind },
];

/** A member with one converted referral whose reward got a payout in `status`. */
async function payoutIn(kind: string, status: string, programExtra: Record<string, unknown> = {}) {
  const { program, member } = await programWithMember(h, ruleOf(kind), programExtra);
  const referral = await convert(h, program.id, member.referralCode);
  const payout = await waitForPayout(h, member.id, (p) => p.status === status, 20_000, `a ${status} payout`);
  const [reward] = await waitForRewards(h, referral.id, 1);
  return { program, member, referral, payout, reward };
}

/** The reward as the API shows it now. */
const rewardNow = async (reward: { id: string; referralId: string }) =>
  (await rewardsOf(h, reward.referralId)).find((r) => r.id === reward.id);

const expectConflict = (res: { status: number; body: any }) => {
  expect(res.status, JSON.stringify(res.body)).toBe(409);
  expect(res.body.error.code).toBe('conflict');
};

it('cancel on a sent Tremendous payout is 409 conflict, and so is mark-paid; nothing changes', async () => {
  const { payout, reward } = await payoutIn('gift_card', 'sent');
  expect(payout.provider).toBe('tremendous');
  expectConflict(await h.call('POST', `/api/v1/payouts/${payout.id}/cancel`));
  expectConflict(await h.call('POST', `/api/v1/payouts/${payout.id}/mark-paid`, { reference: 'I-paid-it' }));

  const after = await h.call('GET', `/api/v1/payouts/${payout.id}`);
  expect(after.body).toMatchObject({ status: 'sent', providerReference: payout.providerReference });
  expect(await rewardNow(reward)).toMatchObject({ status: 'paying', payoutId: payout.id });
  expect([...fake.orders.values()].filter((o) => o.externalId === payout.id)).toHaveLength(1);
});

it('mark-paid on a Tremendous payout still pending (autoPay off) is 409 conflict', async () => {
  const { payout } = await payoutIn('gift_card', 'pending', { payouts: { autoPay: false } });
  expectConflict(await h.call('POST', `/api/v1/payouts/${payout.id}/mark-paid`, { reference: 'I-paid-it' }));
  expect((await h.call('GET', `/api/v1/payouts/${payout.id}`)).body.status).toBe('pending');
});

it('cancel on a pending payout (autoPay off) is 200: its reward goes back to approved, without a payout', async () => {
  const { member, payout, reward } = await payoutIn('cash', 'pending', { payouts: { autoPay: false } });
  expect(payout.holdReason).toBe('auto_pay_off');
  expect(reward).toMatchObject({ status: 'approved', payoutId: payout.id });

  const cancelled = await h.call('POST', `/api/v1/payouts/${payout.id}/cancel`);
  expect(cancelled.status, JSON.stringify(cancelled.body)).toBe(200);
  expect(cancelled.body).toMatchObject({ id: payout.id, status: 'cancelled' });
  expect(await rewardNow(reward)).toMatchObject({
    status: 'approved',
    payoutId: null,
    payoutProvider: null,
  });
  // Cancelling again answers the same; sending it is no longer possible.
  expect((await h.call('POST', `/api/v1/payouts/${payout.id}/cancel`)).status).toBe(200);
  expectConflict(await h.call('POST', `/api/v1/payouts/${payout.id}/send`));
  await settle(h, '', 1000);
  expect(await payoutsOf(h, member.id)).toEqual([expect.objectContaining({ id: payout.id, status: 'cancelled' })]);
});

it('cancel on a payout waiting for a provider is 200: its reward goes back to approved and its workflow ends', async () => {
  const { payout, reward } = await payoutIn('points', 'waiting_provider');
  expect(reward).toMatchObject({ status: 'approved', payoutId: payout.id });
  const handle = h.client.workflow.getHandle(`payout:${payout.id}`);
  await waitFor(async () => (await handle.describe()).status.name === 'RUNNING', 10_000, 'the payout workflow');

  const cancelled = await h.call('POST', `/api/v1/payouts/${payout.id}/cancel`);
  expect(cancelled.status, JSON.stringify(cancelled.body)).toBe(200);
  expect(cancelled.body.status).toBe('cancelled');
  expect(await rewardNow(reward)).toMatchObject({ status: 'approved', payoutId: null });
  await waitFor(async () => (await handle.describe()).status.name === 'COMPLETED', 15_000, 'the cancelled payout workflow to end');
});

it('mark-paid on a manual payout records the reference: payout and reward paid, reward.paid emitted', async () => {
  const { payout, reward } = await payoutIn('cash', 'sent');
  expect(payout).toMatchObject({ provider: 'manual', providerReference: null, amount: 20 });
  expect(reward).toMatchObject({ status: 'paying', payoutId: payout.id });

  const missing = await h.call('POST', `/api/v1/payouts/${payout.id}/mark-paid`, {});
  expect(missing.status).toBe(422);
  const paid = await h.call('POST', `/api/v1/payouts/${payout.id}/mark-paid`, { reference: 'BANK-2026-0042' });
  expect(paid.status, JSON.stringify(paid.body)).toBe(200);
  expect(paid.body).toMatchObject({ id: payout.id, status: 'paid', providerReference: 'BANK-2026-0042' });
  expect(paid.body.paidAt).not.toBeNull();
  expect(await rewardNow(reward)).toMatchObject({
    status: 'paid',
    payoutId: payout.id,
    payoutProvider: 'manual',
    providerReference: 'BANK-2026-0042',
  });
  expect(await eventTypesOf(h, reward.id)).toEqual(['reward.created', 'reward.approved', 'reward.paid']);
  const [paidEvent] = await h.db.sql`select payload from events where subject_id = ${reward.id} and type = 'reward.paid'`;
  expect(paidEvent!.payload).toMatchObject({ id: reward.id, status: 'paid', providerReference: 'BANK-2026-0042' });
  expect((await eventTypesOf(h, payout.id)).at(-1)).toBe('payout.paid');

  // A repeated click answers the same payout; a paid payout can no longer be cancelled.
  const again = await h.call('POST', `/api/v1/payouts/${payout.id}/mark-paid`, { reference: 'BANK-2026-0042' });
  expect(again.status).toBe(200);
  expect(again.body.providerReference).toBe('BANK-2026-0042');
  expectConflict(await h.call('POST', `/api/v1/payouts/${payout.id}/cancel`));
});
