import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Sql } from 'postgres';
import { lifecycleBacklog } from '../workflows/dispatch/lifecycle-dispatcher.js';
import type { LoadLedger } from './chaos-load.js';
import { RENEWAL_CAP, type ChaosReceivers, type ChaosWorld } from './chaos-world.js';

export interface CheckRow {
  check: string;
  expected: string;
  actual: string;
  /** Repeats a receiver saw and deduplicated: allowed (at-least-once to providers), reported. */
  repeats: string;
  ok: boolean;
  detail?: string;
}

const sample = (items: Iterable<string>) => [...items].slice(0, 5).join(', ');
const count = (n: number) => n.toLocaleString('en');

function accepted(records: Map<string, { state: string; email: string }>) {
  const out = { accepted: new Map<string, number>(), unknown: new Map<string, number>(), rejected: [] as string[] };
  for (const [key, r] of records) {
    if (r.state === 'accepted') out.accepted.set(r.email, (out.accepted.get(r.email) ?? 0) + 1);
    else if (r.state === 'rejected') out.rejected.push(key);
    else out.unknown.set(r.email, (out.unknown.get(r.email) ?? 0) + 1);
  }
  return out;
}

/** The soak's verdict: each row compares what the load and the rules say with what the hub and the receivers hold. */
export async function verifySoak(sql: Sql, world: ChaosWorld, ledger: LoadLedger, receivers: ChaosReceivers): Promise<CheckRow[]> {
  const rows: CheckRow[] = [];
  const conversions = accepted(ledger.conversions);
  const renewals = accepted(ledger.renewals);
  const refunds = accepted(ledger.refunds);

  // 1. Referrals: one per accepted conversion, none for a conversion the hub refused.
  const referrals = await sql<{ id: string; email: string }[]>`select id, email from referrals where program_id = ${world.programId}`;
  const byEmail = new Map(referrals.map((r) => [r.email, r.id]));
  const missing = [...conversions.accepted.keys()].filter((e) => !byEmail.has(e));
  const extra = referrals.filter((r) => !conversions.accepted.has(r.email) && !conversions.unknown.has(r.email)).map((r) => r.email);
  rows.push({
    check: 'referrals = accepted conversions',
    expected: `${count(conversions.accepted.size)}${conversions.unknown.size ? ` (+≤${conversions.unknown.size} unanswered)` : ''}`,
    actual: count(referrals.length),
    repeats: '-',
    ok: missing.length === 0 && extra.length === 0 && conversions.rejected.length === 0,
    detail: [
      missing.length ? `missing ${missing.length}: ${sample(missing)}` : '',
      extra.length ? `unexpected ${extra.length}: ${sample(extra)}` : '',
      conversions.rejected.length
        ? `refused ${conversions.rejected.length}: ${ledger.conversions.get(conversions.rejected[0]!)?.detail}`
        : '',
    ]
      .filter(Boolean)
      .join('; '),
  });

  // 2. Business events: each accepted renewal or refund recorded once.
  const businessEvents = await sql<{ key: string; n: number }[]>`
    select idempotency_key as key, count(*)::int as n from business_events where program_id = ${world.programId} group by 1`;
  const recorded = new Map(businessEvents.map((b) => [b.key, b.n]));
  const sentKeys = [...ledger.renewals.entries(), ...ledger.refunds.entries()];
  const lostEvents = sentKeys.filter(([key, r]) => r.state === 'accepted' && !recorded.has(key)).map(([key]) => key);
  const doubledEvents = businessEvents.filter((b) => b.n > 1).map((b) => b.key);
  const refusedEvents = sentKeys.filter(([, r]) => r.state === 'rejected');
  rows.push({
    check: 'business events = accepted',
    expected: count(sentKeys.filter(([, r]) => r.state === 'accepted').length),
    actual: count(businessEvents.length),
    repeats: '-',
    ok: lostEvents.length === 0 && doubledEvents.length === 0 && refusedEvents.length === 0,
    detail: [
      lostEvents.length ? `lost ${lostEvents.length}: ${sample(lostEvents)}` : '',
      doubledEvents.length ? `doubled: ${sample(doubledEvents)}` : '',
      refusedEvents.length ? `refused ${refusedEvents.length}: ${refusedEvents[0]![1].detail}` : '',
    ]
      .filter(Boolean)
      .join('; '),
  });

  // 3. Rewards: what the rules give, per referral and rule, none missing, none doubled.
  const rewards = await sql<{ id: string; referral_id: string; rule: string; status: string; kind: string; payout_id: string | null }[]>`
    select w.id, w.referral_id, r.name as rule, w.status, w.kind, w.payout_id
    from rewards w join reward_rules r on r.id = w.rule_id where w.program_id = ${world.programId}`;
  const perReferral = new Map<string, Map<string, string[]>>();
  for (const w of rewards) {
    const rules = perReferral.get(w.referral_id) ?? new Map<string, string[]>();
    rules.set(w.rule, [...(rules.get(w.rule) ?? []), w.status]);
    perReferral.set(w.referral_id, rules);
  }
  const rewardProblems: string[] = [];
  let expectedRewards = 0;
  for (const [email, referralId] of byEmail) {
    const rules = perReferral.get(referralId) ?? new Map<string, string[]>();
    const bonus = rules.get('Referrer bonus') ?? [];
    const coupon = rules.get('Friend coupon') ?? [];
    const renewalRewards = rules.get('Renewals') ?? [];
    const refundedSurely = refunds.accepted.has(email);
    const refundedMaybe = refunds.unknown.has(email);
    const renewalsLow = Math.min(RENEWAL_CAP, renewals.accepted.get(email) ?? 0);
    const renewalsHigh = Math.min(RENEWAL_CAP, (renewals.accepted.get(email) ?? 0) + (renewals.unknown.get(email) ?? 0));
    expectedRewards += 2 + renewalsLow;
    if (bonus.length !== 1 || !['approved', 'paying', 'paid'].includes(bonus[0]!))
      rewardProblems.push(`${email} referrer bonus ${JSON.stringify(bonus)}`);
    const couponOk =
      coupon.length === 1 &&
      (refundedSurely ? coupon[0] === 'cancelled' : refundedMaybe ? ['cancelled', 'held'].includes(coupon[0]!) : coupon[0] === 'held');
    if (!couponOk) rewardProblems.push(`${email} friend coupon ${JSON.stringify(coupon)} (refunded: ${refundedSurely})`);
    if (
      renewalRewards.length < renewalsLow ||
      renewalRewards.length > renewalsHigh ||
      renewalRewards.some((s) => !['approved', 'paying', 'paid'].includes(s))
    )
      rewardProblems.push(`${email} renewal rewards ${JSON.stringify(renewalRewards)}, expected ${renewalsLow}`);
  }
  rows.push({
    check: 'rewards = what the rules give',
    expected: count(expectedRewards),
    actual: count(rewards.length),
    repeats: '-',
    ok: rewardProblems.length === 0,
    detail: rewardProblems.length ? `${rewardProblems.length} referrals wrong: ${rewardProblems.slice(0, 3).join('; ')}` : '',
  });

  // 4. Payouts: every cash reward in exactly one live payout, each payout sent to PayPal once and paid.
  const payouts = await sql<{ id: string; status: string; amount: number; reward_ids: string[] }[]>`
    select id, status, amount::float8 as amount, reward_ids from payouts where program_id = ${world.programId}`;
  const live = payouts.filter((p) => p.status !== 'cancelled');
  const coverage = new Map<string, number>();
  for (const p of live) for (const r of p.reward_ids) coverage.set(r, (coverage.get(r) ?? 0) + 1);
  const cash = rewards.filter((w) => w.kind === 'cash');
  const uncovered = cash.filter((w) => (coverage.get(w.id) ?? 0) !== 1).map((w) => w.id);
  const batchesPerPayout = new Map<string, number>();
  for (const batch of receivers.paypal.batches.values())
    batchesPerPayout.set(batch.senderBatchId, (batchesPerPayout.get(batch.senderBatchId) ?? 0) + 1);
  const paidTwice = [...batchesPerPayout].filter(([, n]) => n > 1).map(([id]) => id);
  const liveIds = new Set(live.map((p) => p.id));
  const unknownBatches = [...batchesPerPayout.keys()].filter((id) => !liveIds.has(id));
  const notPaid = live.filter((p) => p.status !== 'paid' || batchesPerPayout.get(p.id) !== 1).map((p) => `${p.id}:${p.status}`);
  const duplicateAnswers = receivers.paypal.apiRequests.filter((r) => r.method === 'POST').length - receivers.paypal.batches.size;
  rows.push({
    check: 'payouts once each',
    expected: `${count(cash.length)} cash rewards`,
    actual: `${count(live.length)} payouts, ${count(receivers.paypal.batches.size)} PayPal batches`,
    repeats: String(Math.max(0, duplicateAnswers)),
    ok: uncovered.length === 0 && paidTwice.length === 0 && unknownBatches.length === 0 && notPaid.length === 0,
    detail: [
      uncovered.length ? `rewards not in exactly one payout: ${uncovered.length} (${sample(uncovered)})` : '',
      paidTwice.length ? `paid twice: ${sample(paidTwice)}` : '',
      unknownBatches.length ? `batches without a payout: ${sample(unknownBatches)}` : '',
      notPaid.length ? `not paid once: ${notPaid.length} (${sample(notPaid)})` : '',
    ]
      .filter(Boolean)
      .join('; '),
  });

  // 5. Webhook: every event since the connector was created, deduplicated by webhook-id.
  const events = await sql<{ id: string; type: string; subject_id: string; seq: number }[]>`
    select id, type, subject_id, seq from events where created_at >= ${world.connectorsSince} order by seq`;
  const received = receivers.webhook.received;
  const eventIds = new Set(events.map((e) => e.id));
  const notReceived = events.filter((e) => !received.has(e.id)).map((e) => `${e.type}:${e.id}`);
  const webhookRepeats = [...received.values()].reduce((sum, n) => sum + n - 1, 0);
  rows.push({
    check: 'every event → signed webhook',
    expected: count(events.length),
    actual: count([...received.keys()].filter((id) => eventIds.has(id)).length),
    repeats: String(webhookRepeats),
    ok: notReceived.length === 0 && receivers.webhook.badSignatures === 0,
    detail: [
      notReceived.length ? `missing ${notReceived.length}: ${sample(notReceived)}` : '',
      receivers.webhook.badSignatures ? `bad signatures: ${receivers.webhook.badSignatures}` : '',
    ]
      .filter(Boolean)
      .join('; '),
  });

  // 6. HubSpot: every member and referral is a contact (upsert by email).
  const members = await sql<{ email: string }[]>`select email from members where program_id = ${world.programId}`;
  const wanted = [...members.map((m) => m.email), ...referrals.map((r) => r.email)].map((e) => e.toLowerCase());
  const noContact = wanted.filter((e) => !receivers.hubspot.contacts.has(e));
  const hubspotEvents = events.filter((e) => e.type.startsWith('member.') || e.type.startsWith('referral.')).length;
  const inputs = receivers.hubspot.requests
    .filter((r) => r.path.endsWith('/batch/upsert'))
    .reduce((sum, r) => sum + ((JSON.parse(r.body || '{}') as { inputs?: unknown[] }).inputs?.length ?? 0), 0);
  rows.push({
    check: 'every member/referral → HubSpot',
    expected: `${count(wanted.length)} contacts`,
    actual: `${count(wanted.length - noContact.length)} contacts`,
    repeats: String(Math.max(0, inputs - hubspotEvents)),
    ok: noContact.length === 0,
    detail: noContact.length ? `no contact for ${noContact.length}: ${sample(noContact)}` : '',
  });

  // 7. Scheduled SFTP delivery: the union of every run's file holds every referral exactly once.
  const seen = new Map<string, number>();
  const files = readdirSync(receivers.sftp.root).filter((f) => f.endsWith('.csv'));
  for (const file of files) {
    const lines = readFileSync(join(receivers.sftp.root, file), 'utf8').split('\r\n').slice(1).filter(Boolean);
    for (const line of lines) {
      const id = line.split(',')[0]!;
      seen.set(id, (seen.get(id) ?? 0) + 1);
    }
  }
  const [running] = await sql<
    { n: number }[]
  >`select count(*)::int as n from schedule_runs where schedule_id = ${world.scheduleId} and status = 'running'`;
  const undelivered = referrals.filter((r) => !seen.has(r.id)).map((r) => r.id);
  const twice = [...seen].filter(([, n]) => n > 1).map(([id]) => id);
  rows.push({
    check: 'SFTP runs: every referral once',
    expected: count(referrals.length),
    actual: `${count(seen.size)} in ${files.length} files`,
    repeats: '-',
    ok: undelivered.length === 0 && twice.length === 0 && running!.n === 0,
    detail: [
      undelivered.length ? `not delivered ${undelivered.length}: ${sample(undelivered)}` : '',
      twice.length ? `in two files: ${sample(twice)}` : '',
      running!.n ? `${running!.n} runs still running` : '',
    ]
      .filter(Boolean)
      .join('; '),
  });

  // 8. The event log: every fact has its event, and every reader reached the end.
  const [orphans] = await sql<{ referrals: number; rewards: number; payouts: number }[]>`
    select
      (select count(*)::int from referrals x where not exists (select 1 from events e where e.subject_id = x.id and e.type = 'referral.created')) as referrals,
      (select count(*)::int from rewards x where not exists (select 1 from events e where e.subject_id = x.id and e.type = 'reward.created')) as rewards,
      (select count(*)::int from payouts x where not exists (select 1 from events e where e.subject_id = x.id and e.type = 'payout.created')) as payouts`;
  const backlog = await lifecycleBacklog(sql as never);
  const [stuck] = await sql<{ n: number }[]>`select count(*)::int as n from deliveries where status <> 'succeeded'`;
  const seqs = events.map((e) => Number(e.seq));
  const holes = seqs.length ? seqs[seqs.length - 1]! - seqs[0]! + 1 - seqs.length : 0;
  rows.push({
    check: 'event log: no gap',
    expected: 'every fact has its event; readers at the end',
    actual: `${count(events.length)} events, lifecycle backlog ${backlog.count}, ${stuck!.n} deliveries not succeeded`,
    repeats: '-',
    ok: orphans!.referrals + orphans!.rewards + orphans!.payouts === 0 && backlog.count === 0 && stuck!.n === 0,
    detail: [
      orphans!.referrals + orphans!.rewards + orphans!.payouts ? `facts without event: ${JSON.stringify(orphans)}` : '',
      holes ? `${holes} unused sequence numbers (rolled-back transactions; readers follow transaction ids, not seq)` : '',
    ]
      .filter(Boolean)
      .join('; '),
  });
  return rows;
}
