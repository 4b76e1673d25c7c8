import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { convert, programWithMember, rewardsOf, settle, waitForRewards } from '../support/fixtures.js';
import { createHarness, type Harness } from '../support/hub-harness.js';
import { rewindLifecycleCursor } from '../../workflows/dispatch/lifecycle-dispatcher.js';

let h: Harness;
beforeAll(async () => {
  h = await createHarness();
});
afterAll(async () => {
  await h?.close();
});

const fixed = (name: string, trigger: string, value: number, extra: Record<string, unknown> = {}) => ({
  name,
  trigger,
  recipient: 'member',
  amount: { type: 'fixed', value },
  kind: 'cash',
  ...extra,
});

const event = (programId: string, email: string, type: string, extra: Record<string, unknown> = {}) =>
  h.call('POST', '/api/v1/events', { programId, referral: { email }, type, ...extra });

describe('triggers', () => {
  it('fires conversion, qualified, approved and business-event rules each at its own moment', async () => {
    const { program, member } = await programWithMember(h, [
      fixed('On conversion', 'conversion', 5),
      fixed('On qualified', 'qualified', 7),
      fixed('On approved', 'approved', 11),
      fixed('On purchase', 'purchase', 13),
      fixed('On custom', 'webinar_attended', 17),
    ]);
    const referral = await convert(h, program.id, member.referralCode);
    await waitForRewards(h, referral.id, 1);

    expect((await h.call('PATCH', `/api/v1/referrals/${referral.id}`, { status: 'qualified' })).status).toBe(200);
    await waitForRewards(h, referral.id, 2);
    expect((await h.call('PATCH', `/api/v1/referrals/${referral.id}`, { status: 'approved' })).status).toBe(200);
    await waitForRewards(h, referral.id, 3);
    expect((await event(program.id, referral.email, 'purchase', { amount: 50 })).status).toBe(202);
    await waitForRewards(h, referral.id, 4);
    expect((await event(program.id, referral.email, 'webinar_attended')).status).toBe(202);
    const rewards = await waitForRewards(h, referral.id, 5);

    expect(rewards.map((r) => [r.trigger, r.amount]).sort()).toEqual([
      ['approved', 11],
      ['conversion', 5],
      ['purchase', 13],
      ['qualified', 7],
      ['webinar_attended', 17],
    ]);
    expect(rewards.every((r) => r.status === 'approved' && r.memberId === member.id)).toBe(true);
  });

  it('a status that skips a step fires the skipped step once', async () => {
    const { program, member } = await programWithMember(h, [fixed('On qualified', 'qualified', 7), fixed('On approved', 'approved', 11)]);
    const referral = await convert(h, program.id, member.referralCode);
    await h.call('PATCH', `/api/v1/referrals/${referral.id}`, { status: 'approved' });
    await waitForRewards(h, referral.id, 2);
    // Going "back" is refused, and re-sending the same status changes nothing.
    expect((await h.call('PATCH', `/api/v1/referrals/${referral.id}`, { status: 'qualified' })).status).toBe(422);
    expect((await h.call('PATCH', `/api/v1/referrals/${referral.id}`, { status: 'approved' })).status).toBe(200);
    await settle(h, referral.id);
    expect((await rewardsOf(h, referral.id)).map((r) => r.trigger).sort()).toEqual(['approved', 'qualified']);
  });

  it('a conversion created already approved fires conversion, qualified and approved rules', async () => {
    const { program, member } = await programWithMember(h, [
      fixed('c', 'conversion', 1),
      fixed('q', 'qualified', 2),
      fixed('a', 'approved', 3),
    ]);
    const referral = await convert(h, program.id, member.referralCode, { status: 'approved' });
    const rewards = await waitForRewards(h, referral.id, 3);
    expect(rewards.map((r) => r.amount).sort()).toEqual([1, 2, 3]);
  });

  it('pays the referred person when the rule says so', async () => {
    const { program, member } = await programWithMember(h, [
      { name: 'Friend', trigger: 'conversion', recipient: 'referral', amount: { type: 'fixed', value: 10 }, kind: 'coupon' },
    ]);
    const referral = await convert(h, program.id, member.referralCode);
    const [reward] = await waitForRewards(h, referral.id, 1);
    expect(reward).toMatchObject({ recipient: 'referral', kind: 'coupon', amount: 10, referralId: referral.id });
  });
});

describe('amounts and limits', () => {
  it('percent of the event amount, capped', async () => {
    const { program, member } = await programWithMember(h, [
      {
        name: '10% capped at 15',
        trigger: 'purchase',
        recipient: 'member',
        amount: { type: 'percent', value: 10, cap: 15 },
        kind: 'cash',
      },
    ]);
    const referral = await convert(h, program.id, member.referralCode);
    await event(program.id, referral.email, 'purchase', { amount: 80, currency: 'EUR', idempotencyKey: 'o-1' });
    await event(program.id, referral.email, 'purchase', { amount: 400, currency: 'EUR', idempotencyKey: 'o-2' });
    const rewards = await waitForRewards(h, referral.id, 2);
    expect(rewards.map((r) => r.amount).sort((a, b) => a - b)).toEqual([8, 15]);
    expect(rewards.every((r) => r.currency === 'EUR')).toBe(true);
  });

  it('a recurring cap of N: the N+1th renewal gives nothing', async () => {
    const N = 3;
    const { program, member } = await programWithMember(h, [
      {
        name: 'Renewals',
        trigger: 'subscription_renewed',
        recipient: 'member',
        amount: { type: 'percent', value: 10 },
        kind: 'cash',
        limits: { maxPerReferral: N },
      },
    ]);
    const referral = await convert(h, program.id, member.referralCode);
    for (let i = 1; i <= N + 2; i++) {
      expect((await event(program.id, referral.email, 'subscription_renewed', { amount: 30, idempotencyKey: `inv-${i}` })).status).toBe(
        202,
      );
    }
    await waitForRewards(h, referral.id, N);
    await settle(h, referral.id);
    expect(await rewardsOf(h, referral.id)).toHaveLength(N);
  });

  it('subscription_cancelled ends recurring rewards', async () => {
    const { program, member } = await programWithMember(h, [fixed('Renewals', 'subscription_renewed', 3)]);
    const referral = await convert(h, program.id, member.referralCode);
    await event(program.id, referral.email, 'subscription_renewed', { idempotencyKey: 'r1' });
    await waitForRewards(h, referral.id, 1);
    await event(program.id, referral.email, 'subscription_cancelled', { idempotencyKey: 'c1' });
    await event(program.id, referral.email, 'subscription_renewed', { idempotencyKey: 'r2' });
    await settle(h, referral.id);
    expect(await rewardsOf(h, referral.id)).toHaveLength(1);
  });

  it("maxPerMember caps rewards across all of a member's referrals", async () => {
    const { program, member } = await programWithMember(h, [fixed('Two per member', 'conversion', 20, { limits: { maxPerMember: 2 } })]);
    const referrals = await Promise.all([1, 2, 3, 4].map(() => convert(h, program.id, member.referralCode)));
    for (const r of referrals) await settle(h, r.id, 0);
    await new Promise((r) => setTimeout(r, 1500));
    const all = await h.call('GET', `/api/v1/rewards?memberId=${member.id}`);
    expect(all.body.data).toHaveLength(2);
  });

  it('window: events after the window since conversion earn nothing', async () => {
    const { program, member } = await programWithMember(h, [fixed('First hour only', 'purchase', 9, { limits: { window: '1h' } })]);
    const referral = await convert(h, program.id, member.referralCode);
    const created = new Date(referral.createdAt).getTime();
    await event(program.id, referral.email, 'purchase', {
      occurredAt: new Date(created + 30 * 60_000).toISOString(),
      idempotencyKey: 'in',
    });
    await event(program.id, referral.email, 'purchase', {
      occurredAt: new Date(created + 2 * 3_600_000).toISOString(),
      idempotencyKey: 'out',
    });
    await waitForRewards(h, referral.id, 1);
    await settle(h, referral.id);
    const rewards = await rewardsOf(h, referral.id);
    expect(rewards).toHaveLength(1);
  });
});

describe('exactly once', () => {
  it('a duplicate conversion returns the existing referral and no second reward', async () => {
    const { program, member } = await programWithMember(h, [fixed('c', 'conversion', 20)]);
    const first = await h.call('POST', '/api/v1/conversions', {
      programId: program.id,
      referralCode: member.referralCode,
      email: 'Bob.Dup@Example.com',
    });
    const again = await h.call('POST', '/api/v1/conversions', {
      programId: program.id,
      referralCode: member.referralCode,
      email: 'bob.dup@example.com',
    });
    expect(first.status).toBe(201);
    expect(again.status).toBe(200);
    expect(again.body.id).toBe(first.body.id);
    await waitForRewards(h, first.body.id, 1);
    await settle(h, first.body.id);
    expect(await rewardsOf(h, first.body.id)).toHaveLength(1);
    const list = await h.call('GET', `/api/v1/referrals?programId=${program.id}`);
    expect(list.body.data).toHaveLength(1);
  });

  it('a duplicate business event returns the same eventId and gives one reward', async () => {
    const { program, member } = await programWithMember(h, [fixed('p', 'purchase', 4)]);
    const referral = await convert(h, program.id, member.referralCode);
    const a = await event(program.id, referral.email, 'purchase', { amount: 10, idempotencyKey: 'inv_1' });
    const b = await event(program.id, referral.email, 'purchase', { amount: 10, idempotencyKey: 'inv_1' });
    expect(a.status).toBe(202);
    expect(b.body.eventId).toBe(a.body.eventId);
    await waitForRewards(h, referral.id, 1);
    await settle(h, referral.id);
    expect(await rewardsOf(h, referral.id)).toHaveLength(1);
  });

  it('a signal delivered twice (re-dispatch after a crash) creates nothing new', async () => {
    const { program, member } = await programWithMember(h, [fixed('p', 'purchase', 4), fixed('c', 'conversion', 1)]);
    const referral = await convert(h, program.id, member.referralCode);
    await event(program.id, referral.email, 'purchase', { idempotencyKey: 'once' });
    await waitForRewards(h, referral.id, 2);
    // Pretend the dispatcher crashed before moving its cursor: every signal is sent again.
    await rewindLifecycleCursor(h.db.sql);
    await h.dispatcher.pump();
    await settle(h, referral.id);
    expect(await rewardsOf(h, referral.id)).toHaveLength(2);
  });
});
