import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { convert, programWithMember, rewardsOf, waitForRewards } from '../support/fixtures.js';
import { createHarness, type Harness } from '../support/hub-harness.js';
import { createConnector, waitForPayout, waitForPayoutState } from '../support/payout-fixtures.js';
import { signedInAs, type ConsoleClient } from '../support/console-client.js';

let h: Harness;
let editor: ConsoleClient;
let editorId: string;
let viewer: ConsoleClient;
let limited: ConsoleClient;
let a: Awaited<ReturnType<typeof programWithMember>>;
let b: Awaited<ReturnType<typeof programWithMember>>;
/** Pending rewards of program A (four referrals of one member) and of program B. */
let pendingA: any[];
let pendingB: any;

// Every reward waits for a person; approved rewards wait in a pending payout (autoPay off), paid by hand.
const RULES = [
  { name: 'Signup', trigger: 'conversion', recipient: 'member', amount: { type: 'fixed', value: 10 }, kind: 'cash', approval: 'manual' },
];
const PROGRAM = { payouts: { autoPay: false } };

async function pendingReward(programId: string, code: string) {
  const referral = await convert(h, programId, code);
  const [reward] = await waitForRewards(h, referral.id, 1, (r) => r.status === 'pending');
  return reward;
}

/** A new member of program A with one approved reward, waiting in a pending payout. */
async function pendingPayout() {
  const member = await h.call('POST', '/api/v1/members', { programId: a.program.id, email: `payee-${Math.random()}@example.com` });
  const reward = await pendingReward(a.program.id, member.body.referralCode);
  expect((await h.call('POST', `/api/v1/rewards/${reward.id}/approve`)).status).toBe(200);
  const payout = await waitForPayout(h, member.body.id, (p) => p.status === 'pending', 20_000, 'a pending payout');
  return { payout, reward, member: member.body };
}

const rewardStatus = async (reward: { id: string; referralId: string }) =>
  (await rewardsOf(h, reward.referralId)).find((r) => r.id === reward.id)?.status;

const actorOf = async (subjectId: string, type: string) => {
  const rows = await h.db.sql`select actor from events where subject_id = ${subjectId} and type = ${type} order by seq desc limit 1`;
  return rows[0]?.actor as { type: string; id: string } | undefined;
};

/** The flash shown on the page a redirect leads to. */
async function flashAfter(client: ConsoleClient, res: { status: number; headers: Headers }) {
  expect(res.status).toBe(303);
  const page = await client.get(res.headers.get('location')!);
  return /<p class="notice" role="status">([^<]*)<\/p>/.exec(page.text)?.[1]?.replaceAll('&quot;', '"').replaceAll('&#39;', "'");
}

beforeAll(async () => {
  h = await createHarness();
  await createConnector(h, { kind: 'manual', name: 'Bank transfers', settings: { rewardKinds: ['cash'] } });
  a = await programWithMember(h, RULES, PROGRAM);
  b = await programWithMember(h, RULES, PROGRAM);
  pendingA = await Promise.all([1, 2, 3, 4].map(() => pendingReward(a.program.id, a.member.referralCode)));
  pendingB = await pendingReward(b.program.id, b.member.referralCode);
  const e = await signedInAs(h, 'editor');
  editor = e.client;
  editorId = e.user.id;
  viewer = (await signedInAs(h, 'viewer')).client;
  limited = (await signedInAs(h, 'editor', { programIds: [a.program.id] })).client;
}, 120_000);
afterAll(async () => {
  await h?.close();
});

describe('the reward approval queue', () => {
  it('shows pending rewards by default, with bulk and per-row decisions; other statuses on request', async () => {
    const page = await editor.get('/ui/rewards');
    expect(page.status).toBe(200);
    for (const r of [...pendingA, pendingB]) expect(page.text).toContain(`value="${r.id}"`);
    expect(page.text).toContain('Approve selected');
    expect(page.text).toContain('Deny selected');
    expect(page.text).toContain(`action="/ui/rewards/${pendingA[0].id}/approve"`);
    expect(page.text).toMatch(/<button type="submit">Approve<\/button>/);
    expect(page.text).toContain(`<label class="sr-only" for="pick-${pendingA[0].id}">Select reward ${pendingA[0].id}</label>`);
    const onlyB = await editor.get(`/ui/rewards?program=${b.program.id}`);
    expect(onlyB.text).toContain(pendingB.id);
    expect(onlyB.text).not.toContain(pendingA[0].id);
    const approved = await editor.get('/ui/rewards?status=approved');
    expect(approved.status).toBe(200);
    expect(approved.text).toContain('No rewards.');
  });

  it('approves one reward from its row, with the user as actor, and comes back to the list', async () => {
    await editor.get('/ui/rewards');
    const res = await editor.post(`/ui/rewards/${pendingA[0].id}/approve`, { back: '/ui/rewards?status=pending' });
    expect(res.headers.get('location')).toBe('/ui/rewards?status=pending');
    expect(await flashAfter(editor, res)).toBe(`Approved reward ${pendingA[0].id}.`);
    expect(await rewardStatus(pendingA[0])).toBe('approved');
    expect(await actorOf(pendingA[0].id, 'reward.approved')).toMatchObject({ type: 'user', id: editorId });
    expect((await editor.get('/ui/rewards')).text).not.toContain(`value="${pendingA[0].id}"`);
  });

  it('decides in bulk, each reward on its own, and reports what could not be done', async () => {
    const denied = await editor.post('/ui/rewards/decide', { ids: [pendingA[3].id], decision: 'deny', back: '/ui/rewards' });
    expect(await flashAfter(editor, denied)).toBe('Denied 1 reward.');
    const res = await editor.post('/ui/rewards/decide', {
      ids: [pendingA[1].id, pendingA[2].id, pendingA[3].id],
      decision: 'approve',
      back: '/ui/rewards',
    });
    expect(await flashAfter(editor, res)).toBe(
      `Approved 2 rewards; 1 could not be approved: ${pendingA[3].id}: Reward cannot be approved: it is denied`,
    );
    expect(await rewardStatus(pendingA[1])).toBe('approved');
    expect(await rewardStatus(pendingA[2])).toBe('approved');
    expect(await rewardStatus(pendingA[3])).toBe('denied');
    expect(await actorOf(pendingA[3].id, 'reward.denied')).toMatchObject({ type: 'user', id: editorId });
    const nothing = await editor.post('/ui/rewards/decide', { decision: 'approve', back: '/ui/rewards' });
    expect(await flashAfter(editor, nothing)).toBe('Select at least one reward first.');
  });

  it('shows a viewer no checkboxes or buttons, and answers 403 to their decisions', async () => {
    const page = await viewer.get('/ui/rewards');
    expect(page.text).toContain(pendingB.id);
    expect(page.text).not.toContain('Approve selected');
    expect(page.text).not.toContain('type="checkbox"');
    expect(page.text).not.toMatch(/<button type="submit">Approve<\/button>/);
    expect((await viewer.post('/ui/rewards/decide', { ids: [pendingB.id], decision: 'approve' })).status).toBe(403);
    expect((await viewer.post(`/ui/rewards/${pendingB.id}/approve`)).status).toBe(403);
    expect(await rewardStatus(pendingB)).toBe('pending');
  });

  it("never shows a program-limited user program B's rewards, and their bulk approve of one changes nothing", async () => {
    const list = await limited.get('/ui/rewards?status=all');
    expect(list.text).toContain(pendingA[1].id);
    expect(list.text).not.toContain(pendingB.id);
    const res = await limited.post('/ui/rewards/decide', { ids: [pendingB.id], decision: 'approve', back: '/ui/rewards' });
    expect(await flashAfter(limited, res)).toBe(`Approved 0 rewards; 1 could not be approved: ${pendingB.id}: not found`);
    const one = await limited.post(`/ui/rewards/${pendingB.id}/deny`, { back: '/ui/rewards' });
    expect(await flashAfter(limited, one)).toBe(`Reward ${pendingB.id} could not be denied: not found`);
    expect(await rewardStatus(pendingB)).toBe('pending');
    expect(await h.db.sql`select 1 from events where subject_id = ${pendingB.id} and type <> 'reward.created'`).toHaveLength(0);
  });
});

describe('payouts', () => {
  it('lists payouts with their filters and shows one with its rewards and hold reason', async () => {
    const { payout, reward, member } = await pendingPayout();
    const list = await editor.get('/ui/payouts');
    expect(list.status).toBe(200);
    expect(list.text).toContain(`href="/ui/payouts/${payout.id}"`);
    expect((await editor.get(`/ui/payouts?member=${member.id}`)).text).toContain(payout.id);
    expect((await editor.get(`/ui/payouts?member=${a.member.id}`)).text).not.toContain(payout.id);
    expect((await editor.get(`/ui/payouts?status=paid`)).text).toContain('No payout matches.');
    expect((await editor.get(`/ui/payouts?program=${b.program.id}`)).text).not.toContain(payout.id);
    const page = await editor.get(`/ui/payouts/${payout.id}`);
    expect(page.status).toBe(200);
    expect(page.text).toContain(reward.id);
    expect(page.text).toContain('automatic payouts are off for the program');
    expect(page.text).toContain('10.00 USD');
    for (const label of ['Send payout', 'Cancel payout', 'Mark paid']) expect(page.text).toContain(label);
    expect(page.text).not.toContain('Retry payout');
  });

  it('cancels a payout with the user as actor; its reward is approved again', async () => {
    const { payout, reward } = await pendingPayout();
    await editor.get(`/ui/payouts/${payout.id}`);
    const res = await editor.post(`/ui/payouts/${payout.id}/cancel`);
    expect(await flashAfter(editor, res)).toBe('Payout cancelled; its rewards are approved again. Status: cancelled.');
    expect((await h.call('GET', `/api/v1/payouts/${payout.id}`)).body.status).toBe('cancelled');
    expect(await rewardStatus(reward)).toBe('approved');
    expect(await actorOf(payout.id, 'payout.updated')).toMatchObject({ type: 'user', id: editorId });
  });

  it('sends a held payout, and says why a retry of it is refused', async () => {
    const { payout } = await pendingPayout();
    await editor.get(`/ui/payouts/${payout.id}`);
    const sent = await editor.post(`/ui/payouts/${payout.id}/send`);
    expect(await flashAfter(editor, sent)).toMatch(/^Payout sent on its way\. Status: (sending|sent)\.$/);
    expect(await actorOf(payout.id, 'payout.updated')).toMatchObject({ type: 'user', id: editorId });
    const again = await editor.post(`/ui/payouts/${payout.id}/send`);
    expect(await flashAfter(editor, again)).toMatch(/^Nothing to do: the payout is already (sending|sent)\.$/);
    // Paid by hand: the payout waits as sent until someone marks it paid; a retry is refused.
    await waitForPayoutState(h, payout.id, (p) => p.status === 'sent');
    const retry = await editor.post(`/ui/payouts/${payout.id}/retry`);
    expect(await flashAfter(editor, retry)).toBe(`Payout ${payout.id} cannot be retried: only a failed payout is retried, and it is sent`);
  });

  it('marks a payout paid by hand with a reference, and re-renders with 422 when the reference is missing', async () => {
    const { payout, reward } = await pendingPayout();
    await editor.get(`/ui/payouts/${payout.id}`);
    const missing = await editor.post(`/ui/payouts/${payout.id}/mark-paid`, { reference: '  ' });
    expect(missing.status).toBe(422);
    expect(missing.text).toMatch(/<p class="error" id="f-reference-error">[^<]+<\/p>/);
    expect((await h.call('GET', `/api/v1/payouts/${payout.id}`)).body.status).toBe('pending');
    const res = await editor.post(`/ui/payouts/${payout.id}/mark-paid`, { reference: 'BANK-2026-7' });
    expect(await flashAfter(editor, res)).toBe('Payout marked paid.');
    const page = await editor.get(`/ui/payouts/${payout.id}`);
    expect(page.text).toContain('BANK-2026-7');
    expect(page.text).not.toContain('Cancel payout');
    expect(await rewardStatus(reward)).toBe('paid');
    expect(await actorOf(payout.id, 'payout.paid')).toMatchObject({ type: 'user', id: editorId });
  });

  it('shows a viewer no payout actions and answers 403 to them', async () => {
    const { payout } = await pendingPayout();
    const page = await viewer.get(`/ui/payouts/${payout.id}`);
    expect(page.status).toBe(200);
    for (const label of ['Send payout', 'Cancel payout', 'Mark paid']) expect(page.text).not.toContain(label);
    expect((await viewer.post(`/ui/payouts/${payout.id}/cancel`)).status).toBe(403);
    expect((await h.call('GET', `/api/v1/payouts/${payout.id}`)).body.status).toBe('pending');
  });

  it("keeps a program-limited user away from program B's payouts: not listed, 404, and no action", async () => {
    expect((await h.call('POST', `/api/v1/rewards/${pendingB.id}/approve`)).status).toBe(200);
    const payoutB = await waitForPayout(h, b.member.id, (p) => p.status === 'pending', 20_000, "B's payout");
    expect((await editor.get('/ui/payouts')).text).toContain(payoutB.id);
    const list = await limited.get('/ui/payouts');
    expect(list.text).not.toContain(payoutB.id);
    expect((await limited.get(`/ui/payouts/${payoutB.id}`)).status).toBe(404);
    expect((await limited.get(`/ui/payouts?member=${b.member.id}`)).text).not.toContain(payoutB.id);
    expect((await limited.post(`/ui/payouts/${payoutB.id}/cancel`)).status).toBe(404);
    expect((await limited.post(`/ui/payouts/${payoutB.id}/mark-paid`, { reference: 'X' })).status).toBe(404);
    expect((await h.call('GET', `/api/v1/payouts/${payoutB.id}`)).body.status).toBe('pending');
  });
});
