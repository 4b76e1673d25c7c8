import { afterAll, beforeAll, expect, it } from 'vitest';
import { convert, programWithMember, rewardsOf, waitForRewards } from '../support/fixtures.js';
import { createHarness, waitFor, type Harness } from '../support/hub-harness.js';

let h: Harness;
beforeAll(async () => {
  h = await createHarness();
});
afterAll(async () => {
  await h?.close();
});

const purchaseRule = (extra: Record<string, unknown>) => ({
  name: 'Purchase bonus',
  trigger: 'purchase',
  recipient: 'member',
  amount: { type: 'fixed', value: 25 },
  kind: 'cash',
  ...extra,
});

const purchase = (programId: string, email: string, type = 'purchase', key = 'p-1') =>
  h.call('POST', '/api/v1/events', { programId, referral: { email }, type, amount: 100, idempotencyKey: key });

it('hold without a refund: held, then approved when the hold ends', async () => {
  const { program, member } = await programWithMember(h, [purchaseRule({ hold: '2s' })]);
  const referral = await convert(h, program.id, member.referralCode);
  await purchase(program.id, referral.email);
  const [held] = await waitForRewards(h, referral.id, 1);
  expect(held.status).toBe('held');
  expect(new Date(held.holdUntil).getTime()).toBeGreaterThan(Date.now());
  // A person cannot approve it early.
  expect((await h.call('POST', `/api/v1/rewards/${held.id}/approve`)).status).toBe(422);
  const [approved] = await waitForRewards(h, referral.id, 1, (r) => r.status === 'approved', 15_000);
  expect(approved.id).toBe(held.id);
});

it('hold with a refund inside it: cancelled, and stays cancelled after the hold time', async () => {
  const { program, member } = await programWithMember(h, [purchaseRule({ hold: '3s' })]);
  const referral = await convert(h, program.id, member.referralCode);
  await purchase(program.id, referral.email);
  await waitForRewards(h, referral.id, 1, (r) => r.status === 'held');
  await purchase(program.id, referral.email, 'refund', 'refund-1');
  const [cancelled] = await waitForRewards(h, referral.id, 1, (r) => r.status === 'cancelled');
  await new Promise((r) => setTimeout(r, 3500));
  const [after] = await rewardsOf(h, referral.id);
  expect(after.id).toBe(cancelled.id);
  expect(after.status).toBe('cancelled');
  const events = await h.db.sql`select type from events where subject_id = ${cancelled.id} order by seq`;
  expect(events.map((e) => e.type)).toEqual(['reward.created', 'reward.cancelled']);
});

it('a refund after the hold ended does not take the reward back', async () => {
  const { program, member } = await programWithMember(h, [purchaseRule({ hold: '1s' })]);
  const referral = await convert(h, program.id, member.referralCode);
  await purchase(program.id, referral.email);
  await waitForRewards(h, referral.id, 1, (r) => r.status === 'approved');
  await purchase(program.id, referral.email, 'refund', 'late-refund');
  await new Promise((r) => setTimeout(r, 1500));
  expect((await rewardsOf(h, referral.id))[0].status).toBe('approved');
});

it('manual approval: pending until a person approves; deny works too', async () => {
  const { program, member } = await programWithMember(h, [purchaseRule({ approval: 'manual' })]);
  const a = await convert(h, program.id, member.referralCode);
  const b = await convert(h, program.id, member.referralCode);
  await purchase(program.id, a.email);
  await purchase(program.id, b.email, 'purchase', 'p-2');
  const [ra] = await waitForRewards(h, a.id, 1, (r) => r.status === 'pending');
  const [rb] = await waitForRewards(h, b.id, 1, (r) => r.status === 'pending');
  const approved = await h.call('POST', `/api/v1/rewards/${ra.id}/approve`);
  expect(approved.status).toBe(200);
  expect(approved.body.status).toBe('approved');
  expect((await h.call('POST', `/api/v1/rewards/${rb.id}/deny`)).body.status).toBe('denied');
  // Decisions are final.
  expect((await h.call('POST', `/api/v1/rewards/${rb.id}/approve`)).status).toBe(422);
  const types = await h.db.sql`select type from events where subject_id in (${ra.id}, ${rb.id}) order by seq`;
  expect(types.map((t) => t.type).sort()).toEqual(['reward.approved', 'reward.created', 'reward.created', 'reward.denied']);
});

it('hold then manual approval: pending after the hold', async () => {
  const { program, member } = await programWithMember(h, [purchaseRule({ hold: '1s', approval: 'manual' })]);
  const referral = await convert(h, program.id, member.referralCode);
  await purchase(program.id, referral.email);
  const [pending] = await waitForRewards(h, referral.id, 1, (r) => r.status === 'pending', 15_000);
  // It was created held, and became pending (not approved) only once the hold had passed.
  const [created] = await h.db.sql`select payload from events where subject_id = ${pending.id} and type = 'reward.created'`;
  expect(created!.payload.status).toBe('held');
  expect(Date.now()).toBeGreaterThanOrEqual(new Date(pending.holdUntil).getTime());
  const approved = await h.call('POST', `/api/v1/rewards/${pending.id}/approve`);
  expect(approved.status).toBe(200);
  expect(approved.body.status).toBe('approved');
});

it('denying a referral cancels its held rewards', async () => {
  const { program, member } = await programWithMember(h, [purchaseRule({ hold: '30s' })]);
  const referral = await convert(h, program.id, member.referralCode);
  await purchase(program.id, referral.email);
  const [held] = await waitForRewards(h, referral.id, 1, (r) => r.status === 'held');
  const denied = await h.call('PATCH', `/api/v1/referrals/${referral.id}`, { status: 'denied' });
  expect(denied.status).toBe(200);
  expect(denied.body.status).toBe('denied');
  const [cancelled] = await waitForRewards(h, referral.id, 1, (r) => r.status === 'cancelled');
  expect(cancelled.id).toBe(held.id);
  expect(await rewardsOf(h, referral.id)).toHaveLength(1);
  const events = await h.db.sql`select type from events where subject_id = ${held.id} order by seq`;
  expect(events.map((e) => e.type)).toEqual(['reward.created', 'reward.cancelled']);
});

it('every change lands in the event log in the same transaction', async () => {
  const { program, member } = await programWithMember(h, [
    { name: 'c', trigger: 'conversion', recipient: 'member', amount: { type: 'fixed', value: 1 }, kind: 'cash' },
  ]);
  const referral = await convert(h, program.id, member.referralCode);
  await waitForRewards(h, referral.id, 1);
  await h.call('PATCH', `/api/v1/referrals/${referral.id}`, { status: 'qualified' });
  await h.call('POST', '/api/v1/events', { programId: program.id, referral: { id: referral.id }, type: 'note_added' });
  await waitFor(async () => {
    const rows = await h.db.sql`select type from events where program_id = ${program.id} order by seq`;
    const types = rows.map((r) => r.type);
    return [
      'member.created',
      'referral.created',
      'reward.created',
      'reward.approved',
      'referral.status_changed',
      'referral.activity',
    ].every((t) => types.includes(t))
      ? types
      : undefined;
  });
});
