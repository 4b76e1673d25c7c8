import { afterAll, beforeAll, expect, it } from 'vitest';
import { convert, programWithMember, waitForRewards } from '../support/fixtures.js';
import { createHarness, waitFor, type Harness } from '../support/hub-harness.js';
import { createConnector, eventTypesOf, payoutsOf, sleep, waitForPayout, waitForPayoutState } from '../support/payout-fixtures.js';
import { startTremendousFake, type TremendousFake } from '../support/tremendous-fake.js';

const API_KEY = 'TEST_waitingProviderKey_0123456789abcdef';
// Long enough that a workflow polling on a timer would have written timers into its history.
const WAITING_MS = 3000;

let h: Harness;
let fake: TremendousFake;

beforeAll(async () => {
  h = await createHarness();
  // The first status read finds the gift card delivered, so the payout goes sent → paid on the first poll.
  fake = await startTremendousFake({ apiKey: API_KEY, campaigns: ['CAMP1'], deliverAfterReads: 1 });
}, 120_000);
afterAll(async () => {
  await fake?.close();
  await h?.close();
});

const ms = (t: { seconds?: unknown; nanos?: number | null } | null | undefined) =>
  t ? Number(String(t.seconds ?? 0)) * 1000 + Math.floor((t.nanos ?? 0) / 1e6) : 0;

/** Waits until the payout's workflow has looked at its payout and is blocked on its wait. */
async function waitUntilBlocked(payoutId: string) {
  const handle = h.client.workflow.getHandle(`payout:${payoutId}`);
  await waitFor(
    async () => {
      const events = (await handle.fetchHistory().catch(() => ({ events: [] }))).events ?? [];
      // Its first look (preparePayout) is done and the workflow task after it has completed: it waits.
      const looked = events.findIndex((e) => e.activityTaskCompletedEventAttributes);
      return looked >= 0 && events.slice(looked).some((e) => e.workflowTaskCompletedEventAttributes);
    },
    15_000,
    `the workflow of ${payoutId} to wait`,
  );
  return handle;
}

it('a gift card approved before any payout connector waits on a signal, then a new Tremendous connector pays it within seconds', async () => {
  const { program, member } = await programWithMember(h, [
    { name: 'Gift card', trigger: 'conversion', recipient: 'member', amount: { type: 'fixed', value: 25 }, kind: 'gift_card' },
  ]);
  const referral = await convert(h, program.id, member.referralCode);
  const waiting = await waitForPayout(h, member.id, (p) => p.status === 'waiting_provider', 20_000, 'a payout waiting for a provider');
  expect(waiting).toMatchObject({ amount: 25, currency: 'USD', rewardKind: 'gift_card', connectorId: null, provider: null });
  const [reward] = await waitForRewards(h, referral.id, 1);
  expect(reward).toMatchObject({ status: 'approved', payoutId: waiting.id });
  expect(waiting.rewardIds).toEqual([reward.id]);

  // Its workflow started from payout.created, looked, found no connector, and is now blocked.
  const handle = await waitUntilBlocked(waiting.id);
  await sleep(WAITING_MS);
  expect((await h.call('GET', `/api/v1/payouts/${waiting.id}`)).body.status).toBe('waiting_provider');
  expect(fake.requests).toEqual([]);

  const connectorAt = Date.now();
  const tremendous = await createConnector(h, {
    kind: 'tremendous',
    name: 'Tremendous',
    settings: { baseUrl: fake.url, rewardKinds: ['gift_card'], campaignId: 'CAMP1' },
    secrets: { apiKey: API_KEY },
    programIds: [program.id],
  });
  const paid = await waitForPayoutState(h, waiting.id, (p) => p.status === 'paid', 15_000);
  const tookMs = Date.now() - connectorAt;
  console.log(`waiting payout paid ${tookMs} ms after the Tremendous connector was created`);
  expect(tookMs).toBeLessThan(15_000);

  const orders = [...fake.orders.values()];
  expect(orders).toHaveLength(1);
  const [order] = orders;
  expect(order!.externalId).toBe(waiting.id);
  expect(order!.reward.value).toEqual({ denomination: 25, currency_code: 'USD' });
  expect(order!.reward.recipient.email).toBe(member.email);
  expect(fake.requests.filter((r) => r.method === 'POST')).toHaveLength(1);
  expect(paid).toMatchObject({
    connectorId: tremendous.id,
    provider: 'tremendous',
    attempts: 1,
    providerReference: `${order!.id}/${order!.reward.id}`,
  });
  // The order was placed with the delivery still scheduled (sent), then the status read found it delivered.
  const statuses = (await h.db.sql`select payload->>'status' as status from events where subject_id = ${waiting.id} order by seq`).map(
    (r) => r.status,
  );
  expect(statuses).toEqual(['waiting_provider', 'sending', 'sent', 'paid']);
  const [after] = await waitForRewards(h, referral.id, 1);
  expect(after).toMatchObject({
    status: 'paid',
    payoutId: waiting.id,
    payoutProvider: 'tremendous',
    providerReference: paid.providerReference,
  });
  expect(await eventTypesOf(h, reward.id)).toEqual(['reward.created', 'reward.approved', 'reward.paid']);

  // While it waited, the workflow wrote nothing: no timer, no poll, just the signal that woke it.
  const events = (await handle.fetchHistory()).events ?? [];
  const signals = events
    .map((e, index) => ({ e, index }))
    .filter(({ e }) => e.workflowExecutionSignaledEventAttributes)
    .map(({ e, index }) => ({
      index,
      at: ms(e.eventTime),
      reason: JSON.parse(Buffer.from(e.workflowExecutionSignaledEventAttributes!.input!.payloads![0]!.data!).toString('utf8')),
    }));
  const woke = signals.find((s) => s.reason === 'provider_available');
  expect(woke, JSON.stringify(signals)).toBeDefined();
  expect(woke!.at).toBeGreaterThanOrEqual(connectorAt - 1000);
  const beforeWake = events.slice(0, woke!.index);
  expect(beforeWake.filter((e) => e.timerStartedEventAttributes)).toEqual([]);
  expect(beforeWake.filter((e) => e.activityTaskScheduledEventAttributes)).toHaveLength(1);
  expect(beforeWake.length).toBeLessThanOrEqual(12);
  // The event before the wake-up was written before the waiting period began.
  const lastBeforeWake = ms(beforeWake[beforeWake.length - 1]!.eventTime);
  expect(woke!.at - lastBeforeWake).toBeGreaterThanOrEqual(WAITING_MS);
  console.log(`payout workflow history: ${beforeWake.length} events before the wake-up signal, ${events.length} in all`);
  // Once paid it ended.
  await waitFor(async () => (await handle.describe()).status.name === 'COMPLETED', 10_000, 'the paid payout workflow to end');
}, 60_000);

it('a payout connector created while the waker is still busy with another one wakes its own payouts too', async () => {
  const { program, member } = await programWithMember(h, [
    { name: 'Cash', trigger: 'conversion', recipient: 'member', amount: { type: 'fixed', value: 5 }, kind: 'cash' },
    { name: 'Gift card', trigger: 'conversion', recipient: 'member', amount: { type: 'fixed', value: 10 }, kind: 'gift_card' },
  ]);
  await convert(h, program.id, member.referralCode);
  const waiting = await waitFor(
    async () => {
      const payouts = (await payoutsOf(h, member.id)).filter((p) => p.status === 'waiting_provider');
      return payouts.length === 2 ? payouts : undefined;
    },
    20_000,
    'both payouts waiting for a provider',
  );
  for (const p of waiting) await waitUntilBlocked(p.id);

  // A slow first wake-up (many waiting payouts, a slow database): the payouts table is locked, so
  // the wake for the manual connector has listed connectors but not yet payouts when the
  // Tremendous connector is saved.
  let release!: () => void;
  let locked!: () => void;
  const lockTaken = new Promise<void>((resolve) => (locked = resolve));
  const holder = h.db.sql.begin(async (tx) => {
    await tx`lock table payouts in access exclusive mode`;
    locked();
    await new Promise<void>((resolve) => (release = resolve));
  });
  await lockTaken;
  const connectorsAt = Date.now();
  try {
    await createConnector(h, { kind: 'manual', name: 'Bank transfers', settings: { rewardKinds: ['cash'] }, programIds: [program.id] });
    await sleep(300);
    await createConnector(h, {
      kind: 'tremendous',
      name: 'Tremendous gift cards',
      settings: { baseUrl: fake.url, rewardKinds: ['gift_card'], campaignId: 'CAMP1' },
      secrets: { apiKey: API_KEY },
      programIds: [program.id],
    });
    await sleep(300);
  } finally {
    release();
    await holder;
  }

  let seen = '';
  await waitFor(
    async () => {
      const payouts = await payoutsOf(h, member.id);
      seen = JSON.stringify(payouts.map((p) => `${p.rewardKind}:${p.status}`).sort());
      return (
        payouts.some((p) => p.rewardKind === 'cash' && p.status === 'sent') &&
        payouts.some((p) => p.rewardKind === 'gift_card' && p.status === 'paid')
      );
    },
    10_000,
    'the cash payout sent by hand and the gift card paid',
  ).catch((err: Error) => {
    throw new Error(`${err.message}; payouts: ${seen}`);
  });
  console.log(`both waiting payouts on their way ${Date.now() - connectorsAt} ms after the two connectors were created`);
}, 60_000);

it('payouts nobody pays, however many, do not hide the ones a new connector pays', async () => {
  const { program, member } = await programWithMember(h, [
    { name: 'Gift card', trigger: 'conversion', recipient: 'member', amount: { type: 'fixed', value: 10 }, kind: 'gift_card' },
  ]);
  // A backlog of points payouts no connector pays, older (lower ids) than the gift card's.
  await h.db.sql`
    insert into payouts (id, program_id, member_id, amount, currency, reward_kind, reward_ids, status)
    select 'pay_000000' || lpad(n::text, 6, '0'), ${program.id}, ${member.id}, 1, 'USD', 'points', '{}', 'waiting_provider'
    from generate_series(1, 600) n`;
  await convert(h, program.id, member.referralCode);
  const giftCard = await waitForPayout(h, member.id, (p) => p.rewardKind === 'gift_card' && p.status === 'waiting_provider');
  await waitUntilBlocked(giftCard.id);

  await createConnector(h, {
    kind: 'tremendous',
    name: 'Tremendous behind a backlog',
    settings: { baseUrl: fake.url, rewardKinds: ['gift_card'], campaignId: 'CAMP1' },
    secrets: { apiKey: API_KEY },
    programIds: [program.id],
  });
  await waitForPayoutState(h, giftCard.id, (p) => p.status === 'paid', 15_000);
  expect([...fake.orders.values()].filter((o) => o.externalId === giftCard.id)).toHaveLength(1);
  expect(await h.db.sql`select id from payouts where reward_kind = 'points' and status <> 'waiting_provider'`).toEqual([]);
}, 60_000);
