import { expect } from 'vitest';
import type { Harness } from './hub-harness.js';
import { waitFor } from './hub-harness.js';
import type { LocalReceiver } from './start-local-receiver.js';
import type { SmtpTestServer } from './smtp-test-server.js';
import type { Fixture } from '../security/authorization-routes.js';

let seq = 0;
const unique = (p: string) => `${p}-${Date.now().toString(36)}${(seq++).toString(36)}`;

/**
 * Two programs' worth of everything (members, referrals, rewards, payouts, connectors, deliveries,
 * schedules, runs, keys, hooks) for the authorization tests of the API and of the console, with
 * the strings that would betray a program if someone outside it received them.
 */
export function createProgramFixtures(h: Harness, receiver: LocalReceiver, smtp: SmtpTestServer) {
  async function admin(method: string, path: string, body?: unknown) {
    const res = await h.call(method, path, body);
    expect(res.status, `${method} ${path}: ${JSON.stringify(res.body)}`).toBeLessThan(300);
    return res.body;
  }

  async function makeKey(scopes: string[], programIds: string[]) {
    return (await admin('POST', '/api/v1/api-keys', { name: unique('key'), scopes, programIds })) as { id: string; key: string };
  }

  async function buildProgram(label: 'A' | 'B'): Promise<Fixture> {
    const tag = `iso-${label.toLowerCase()}-${Date.now().toString(36)}`;
    const program = await admin('POST', '/api/v1/programs', {
      name: `Program ${label}`,
      slug: unique(`prog-${label.toLowerCase()}`),
      landingUrl: 'https://acme.example/welcome',
      currency: 'USD',
      rewardRules: [
        {
          name: 'Manual bonus',
          trigger: 'conversion',
          recipient: 'member',
          amount: { type: 'fixed', value: 5 },
          kind: 'cash',
          approval: 'manual',
        },
        {
          name: 'Manual gift',
          trigger: 'conversion',
          recipient: 'referral',
          amount: { type: 'fixed', value: 5 },
          kind: 'coupon',
          approval: 'manual',
        },
      ],
    });
    const memberEmail = `member@${tag}.test`;
    const member = await admin('POST', '/api/v1/members', { programId: program.id, email: memberEmail, firstName: 'Ann' });
    const referralEmail = `friend@${tag}.test`;
    const webhookSecret = `whsec_${Buffer.from(`${tag}-webhook-secret`).toString('base64')}`;
    const webhook = await admin('POST', '/api/v1/connectors', {
      kind: 'webhook',
      name: `Webhook ${label}`,
      settings: { url: `${receiver.url}/${tag}` },
      secrets: { signingSecret: webhookSecret },
      events: ['referral.created', 'member.created'],
      programIds: [program.id],
    });
    const referral = await admin('POST', '/api/v1/conversions', {
      programId: program.id,
      referralCode: member.referralCode,
      email: referralEmail,
    });
    const email = await admin('POST', '/api/v1/connectors', {
      kind: 'email',
      name: `Email ${label}`,
      settings: { host: '127.0.0.1', port: smtp.port, from: `hub@${tag}.test`, to: [`ops@${tag}.test`], caCertificate: smtp.caPem },
      secrets: {},
      programIds: [program.id],
    });
    // Invites and welcome emails of the program go through its email connector; purchases enrol.
    await admin('PATCH', `/api/v1/programs/${program.id}`, {
      share: { emailConnectorId: email.id },
      enrolment: { on: ['purchase'], sendWelcome: true, reminderAfter: null },
    });
    const inbound = await admin('POST', '/api/v1/connectors', {
      kind: 'inbound',
      name: `Inbound ${label}`,
      settings: { action: 'member', programId: program.id },
      secrets: {},
      mapping: [{ target: 'email', source: 'body.email' }],
    });
    const inboundToken = new URL(inbound.inboundUrl).pathname.split('/').pop()!;
    const posted = await h.app.request(`/webhooks/in/${inboundToken}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email: `inbound@${tag}.test`, note: `${tag}-raw-body` }),
    });
    expect(posted.status).toBeLessThan(300);
    const schedule = await admin('POST', '/api/v1/schedules', {
      name: `Nightly ${label}`,
      connectorId: email.id,
      programIds: [program.id],
      every: '24h',
      format: 'csv',
      fileName: 'r-{runId}.csv',
      fields: [{ target: 'email', source: 'referral.email' }],
      paused: true,
    });
    const run = await admin('POST', `/api/v1/schedules/${schedule.id}/run`);
    const victimKey = await makeKey(['read'], [program.id]);
    const hookKey = await makeKey(['write'], [program.id]);
    const hook = await h.app.request('/api/v1/hooks', {
      method: 'POST',
      headers: { authorization: `Bearer ${hookKey.key}`, 'content-type': 'application/json' },
      body: JSON.stringify({ event: 'referral.created', targetUrl: `${receiver.url}/hook-${tag}` }),
    });
    expect(hook.status).toBe(201);
    const hookId = ((await hook.json()) as { id: string }).id;
    const rewards = await waitFor(
      async () => {
        const list = await h.call('GET', `/api/v1/rewards?referralId=${referral.id}`);
        return list.body.data.length === 2 ? (list.body.data as { id: string }[]) : undefined;
      },
      30_000,
      `rewards of program ${label}`,
    );
    // Four payouts held for a person (autoPay off), one per payout route that changes one.
    await admin('PATCH', `/api/v1/programs/${program.id}`, { payouts: { autoPay: false } });
    for (const n of [1, 2]) {
      await admin('POST', '/api/v1/conversions', {
        programId: program.id,
        referralCode: member.referralCode,
        email: `friend${n}@${tag}.test`,
      });
    }
    const payable = await waitFor(
      async () => {
        const list = await h.call('GET', `/api/v1/rewards?programId=${program.id}&status=pending`);
        const others = (list.body.data as { id: string; referralId: string }[]).filter((r) => r.referralId !== referral.id);
        return others.length === 4 ? others : undefined;
      },
      30_000,
      `payable rewards of program ${label}`,
    );
    for (const reward of payable) await admin('POST', `/api/v1/rewards/${reward.id}/approve`);
    const payoutList = await admin('GET', `/api/v1/payouts?programId=${program.id}`);
    const payoutIds = (payoutList.data as { id: string }[]).map((p) => p.id).sort() as Fixture['payoutIds'];
    expect(payoutIds).toHaveLength(4);
    await h.db.sql`update payouts set status = 'failed', failure_reason = 'test' where id = ${payoutIds[1]}`;
    const manual = await admin('POST', '/api/v1/connectors', {
      kind: 'manual',
      name: `By hand ${label}`,
      settings: { rewardKinds: ['cash', 'coupon'] },
      secrets: {},
      programIds: [program.id],
    });
    const delivery = await waitFor(
      async () => {
        const list = await h.call('GET', `/api/v1/connectors/${webhook.id}/deliveries`);
        return list.body.data[0] as { id: string } | undefined;
      },
      30_000,
      `a delivery of program ${label}`,
    );
    const recovery = await admin('POST', `/api/v1/connectors/${webhook.id}/recover`, {
      since: new Date(Date.now() - 3_600_000).toISOString(),
    });
    return {
      label,
      tag,
      recoveryId: recovery.recoveryId,
      programId: program.id,
      publishableKey: program.publishableKey,
      memberId: member.id,
      memberEmail,
      referralCode: member.referralCode,
      referralId: referral.id,
      referralEmail,
      rewardIds: [rewards[0]!.id, rewards[1]!.id],
      payoutIds,
      connectorId: webhook.id,
      emailConnectorId: email.id,
      manualConnectorId: manual.id,
      inboundConnectorId: inbound.id,
      inboundToken,
      deliveryId: delivery.id,
      scheduleId: schedule.id,
      runId: run.runId,
      apiKeyId: victimKey.id,
      fullKeys: [victimKey.key, hookKey.key],
      hookId,
      secrets: [webhookSecret],
    };
  }

  /** Every string that would betray program B if a program-A key received it. */
  function markersOf(f: Fixture, global: { connectorId: string; scheduleId: string }) {
    const ids = [
      f.programId,
      f.memberId,
      f.referralId,
      ...f.rewardIds,
      ...f.payoutIds,
      f.manualConnectorId,
      f.connectorId,
      f.emailConnectorId,
      f.inboundConnectorId,
      f.deliveryId,
      f.recoveryId,
      f.scheduleId,
      f.runId,
      f.apiKeyId,
      f.hookId,
      global.connectorId,
      global.scheduleId,
    ];
    const always = [f.tag, f.inboundToken, f.publishableKey, ...f.secrets, ...f.fullKeys];
    return { ids, always };
  }

  /** What program B looks like to an unlimited admin: compared before and after the sweep. */
  async function snapshotOf(f: Fixture) {
    const sql = h.db.sql;
    return {
      program:
        await sql`select name, slug, landing_url, currency, cookie_days, share, publishable_key from programs where id = ${f.programId}`,
      rules: await sql`select name, trigger, amount, active from reward_rules where program_id = ${f.programId} order by id`,
      members: await sql`select id, email, first_name, last_name, custom_fields from members where program_id = ${f.programId} order by id`,
      referrals: await sql`select id, email, status, member_id from referrals where program_id = ${f.programId} order by id`,
      referralsOfMember: await sql`select id from referrals where member_id = ${f.memberId} order by id`,
      clicks: await sql`select id from clicks where program_id = ${f.programId} order by id`,
      rewards: await sql`select id, status, payout_id from rewards where program_id = ${f.programId} order by id`,
      payouts: await sql`select id, status, connector_id, provider_reference from payouts where program_id = ${f.programId} order by id`,
      businessEvents: await sql`select id from business_events where referral_id = ${f.referralId}`,
      connectors: await sql`select id, name, settings, secrets_sealed, events, program_ids, mapping, enabled from connectors
        where ${f.programId} = any(program_ids) or id = ${f.inboundConnectorId} order by id`,
      schedules:
        await sql`select id, name, connector_id, program_ids, every, cron, paused, fields from schedules where ${f.programId} = any(program_ids) order by id`,
      runs: await sql`select id from schedule_runs where schedule_id = ${f.scheduleId} order by id`,
      keys: await sql`select id, name, scopes, program_ids, revoked_at from api_keys where ${f.programId} = any(program_ids) order by id`,
      replays: await sql`select count(*)::int as n from connector_replays where connector_id = ${f.connectorId}`,
      shareEmails: await sql`select id, email, kind, status from share_emails where program_id = ${f.programId} order by id`,
      suppressions: await sql`select email from email_suppressions where program_id = ${f.programId} order by email`,
    };
  }

  return { admin, makeKey, buildProgram, markersOf, snapshotOf };
}
