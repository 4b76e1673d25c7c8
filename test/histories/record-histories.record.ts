import { createHmac, randomBytes } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { temporal } from '@temporalio/proto';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { startLocalReceiver } from '../support/start-local-receiver.js';
import { convert, programWithMember, waitForRewards } from '../support/fixtures.js';
import { createHarness, waitFor, type Harness } from '../support/hub-harness.js';
import { startHubSpotFake } from '../support/hubspot-fake.js';
import { startSmtpTestServer } from '../support/smtp-test-server.js';

/**
 * Records one history of every workflow type, driven through the real hub and worker, into
 * test/histories/<type>/ as binary protobuf (the SDK's JSON history codec trips over the two
 * protobufjs copies npm installs for it). Run it (`npm run histories:record`) when a release changes workflow
 * code on purpose, and commit the new files beside the old ones: the replay test keeps running
 * every recorded history against the current code, so workflows started by an older release
 * still replay after an upgrade.
 */
const here = dirname(fileURLToPath(import.meta.url));
const version = process.env.HISTORY_LABEL ?? new Date().toISOString().slice(0, 10);
const APP_SECRET = randomBytes(18).toString('hex');
const HUBSPOT_TOKEN = 'pat-na1-00000000-1111-2222-3333-444444444444';

let h: Harness;
beforeAll(async () => {
  h = await createHarness({ webhooks: { hubspotAppSecret: APP_SECRET, hubspotQualifiedStages: ['qualifiedtobuy'], hubspotApprovedStages: ['closedwon'] } });
});
afterAll(async () => { await h?.close(); });

/**
 * Saves every run of the workflow (a long one continues as new, and each run must replay) and
 * returns how many events they hold together.
 */
async function save(type: string, workflowId: string) {
  const runs = await waitFor(async () => {
    const found: string[] = [];
    for await (const wf of h.client.workflow.list({ query: `WorkflowId = "${workflowId}"` })) found.push(wf.runId);
    return found.length > 0 ? found : undefined;
  }, 30_000, `the runs of ${workflowId} in visibility`);
  let events = 0;
  for (const [index, runId] of runs.entries()) {
    const history = await h.client.workflow.getHandle(workflowId, runId).fetchHistory();
    const file = join(here, type, `${version}${runs.length > 1 ? `-run${index + 1}` : ''}.binpb`);
    mkdirSync(dirname(file), { recursive: true });
    writeFileSync(file, temporal.api.history.v1.History.encode(history).finish());
    events += history.events?.length ?? 0;
  }
  return events;
}

it('referralLifecycle: conversion, a held reward, a renewal, a refund and a denial', async () => {
  const { program, member } = await programWithMember(h, [
    { name: 'Bonus', trigger: 'conversion', recipient: 'member', amount: { type: 'fixed', value: 20 }, kind: 'cash' },
    { name: 'Held', trigger: 'qualified', recipient: 'member', amount: { type: 'fixed', value: 5 }, kind: 'cash', hold: '1s' },
    { name: 'Renewals', trigger: 'subscription_renewed', recipient: 'member', amount: { type: 'percent', value: 10, cap: 15 }, kind: 'cash', hold: '30d' },
  ]);
  const referral = await convert(h, program.id, member.referralCode);
  await h.call('PATCH', `/api/v1/referrals/${referral.id}`, { status: 'qualified' });
  await waitForRewards(h, referral.id, 1, (r) => r.amount === 5 && r.status === 'approved');
  await h.call('POST', '/api/v1/events', { programId: program.id, referral: { id: referral.id }, type: 'subscription_renewed', amount: 50, currency: 'USD', idempotencyKey: 'inv-1' });
  await h.call('POST', '/api/v1/events', { programId: program.id, referral: { id: referral.id }, type: 'refund', amount: 50, currency: 'USD', idempotencyKey: 'ref-1' });
  await waitForRewards(h, referral.id, 1, (r) => r.status === 'cancelled');
  await h.call('PATCH', `/api/v1/referrals/${referral.id}`, { status: 'denied' });
  await new Promise((r) => setTimeout(r, 1500));
  expect(await save('referralLifecycle', `referral:${referral.id}`)).toBeGreaterThan(20);
}, 120_000);

it('connectorSync: a webhook that fails once, then delivers', async () => {
  let calls = 0;
  const receiver = await startLocalReceiver(() => ({ status: calls++ === 0 ? 500 : 204 }));
  try {
    const connector = await h.call('POST', '/api/v1/connectors', {
      kind: 'webhook', name: 'Recorder', settings: { url: receiver.url }, secrets: { signingSecret: `whsec_${randomBytes(32).toString('base64')}` }, events: ['member.created'],
    });
    await programWithMember(h, []);
    await waitFor(async () => receiver.requests.length >= 2, 30_000, 'the webhook delivered after a failure');
    await new Promise((r) => setTimeout(r, 1000));
    expect(await save('connectorSync', `connector-sync:${connector.body.id}`)).toBeGreaterThan(5);
  } finally {
    await receiver.close();
  }
}, 120_000);

it('scheduledDelivery: a run sent by email', async () => {
  const smtp = await startSmtpTestServer();
  try {
    const connector = await h.call('POST', '/api/v1/connectors', {
      kind: 'email', name: 'Recorder mail', settings: { host: '127.0.0.1', port: smtp.port, from: 'hub@rec.test', to: ['ops@rec.test'], caCertificate: smtp.caPem }, secrets: {},
    });
    const { program, member } = await programWithMember(h, []);
    await convert(h, program.id, member.referralCode);
    const schedule = await h.call('POST', '/api/v1/schedules', {
      name: 'Recorder', connectorId: connector.body.id, every: '24h', format: 'csv', fileName: 'r-{runId}.csv', fields: [{ target: 'email', source: 'referral.email' }], paused: true,
    });
    const run = await h.call('POST', `/api/v1/schedules/${schedule.body.id}/run`);
    await waitFor(async () => smtp.messages.length > 0, 30_000, 'the scheduled file arrived');
    const [execution] = await waitFor(async () => {
      const found = [];
      for await (const wf of h.client.workflow.list({ query: `WorkflowId STARTS_WITH "schedule-run:${run.body.runId}" AND ExecutionStatus = "Completed"` })) found.push(wf);
      return found.length > 0 ? found : undefined;
    }, 30_000, 'the delivery workflow completed');
    expect(await save('scheduledDelivery', execution!.workflowId)).toBeGreaterThan(5);
  } finally {
    await smtp.close();
  }
}, 120_000);

it('hubspotDealStage: a deal event looked up in HubSpot', async () => {
  const fake = await startHubSpotFake({ accessToken: HUBSPOT_TOKEN });
  try {
    await h.call('POST', '/api/v1/connectors', { kind: 'hubspot', name: 'CRM', settings: { baseUrl: fake.url }, secrets: { accessToken: HUBSPOT_TOKEN }, events: ['member.created'] });
    const { program, member } = await programWithMember(h, []);
    const referral = await convert(h, program.id, member.referralCode);
    const dealId = fake.addDeal([referral.email]);
    const event = { eventId: 4242, subscriptionType: 'deal.propertyChange', objectId: Number(dealId), propertyName: 'dealstage', propertyValue: 'qualifiedtobuy', occurredAt: Date.now() };
    const raw = JSON.stringify([event]);
    const timestamp = String(Date.now());
    const signature = createHmac('sha256', APP_SECRET).update(`POSThttp://hub.test/webhooks/hubspot${raw}${timestamp}`).digest('base64');
    const res = await h.app.request('/webhooks/hubspot', {
      method: 'POST', body: raw, headers: { 'content-type': 'application/json', 'x-hubspot-request-timestamp': timestamp, 'x-hubspot-signature-v3': signature },
    });
    expect(res.status).toBe(200);
    await h.client.workflow.getHandle('hubspot-deal-stage:4242').result();
    expect(await save('hubspotDealStage', 'hubspot-deal-stage:4242')).toBeGreaterThan(5);
  } finally {
    await fake.close();
  }
}, 120_000);

it('connectorRecovery: a dead delivery sent again', async () => {
  let healthy = false;
  const receiver = await startLocalReceiver(() => ({ status: healthy ? 204 : 400 }));
  try {
    const connector = await h.call('POST', '/api/v1/connectors', {
      kind: 'webhook', name: 'Recovery', settings: { url: receiver.url }, secrets: { signingSecret: `whsec_${randomBytes(32).toString('base64')}` }, events: ['member.created'],
    });
    await programWithMember(h, []);
    await waitFor(async () => (await h.call('GET', `/api/v1/connectors/${connector.body.id}/deliveries?status=dead`)).body.data.length > 0, 30_000, 'a dead delivery');
    healthy = true;
    const since = new Date(Date.now() - 60_000);
    const started = await h.call('POST', `/api/v1/connectors/${connector.body.id}/recover`, { since: since.toISOString() });
    expect(started.status).toBe(202);
    await waitFor(async () => (await h.call('GET', `/api/v1/connectors/${connector.body.id}/recoveries/${started.body.recoveryId}`)).body.status === 'completed', 30_000, 'the recovery completed');
    expect(await save('connectorRecovery', `connector-recovery:${connector.body.id}:${since.toISOString()}`)).toBeGreaterThan(5);
  } finally {
    await receiver.close();
  }
}, 120_000);

it('payout: waits for a provider, is woken by a new PayPal connector, sends, polls, paid', async () => {
  const { startPayPalFake } = await import('../support/paypal-fake.js');
  const fake = await startPayPalFake({ clientId: 'history-client', clientSecret: 'history-secret' });
  try {
    const { program, member } = await programWithMember(h, [
      { name: 'Cash', trigger: 'conversion', recipient: 'member', amount: { type: 'fixed', value: 20 }, kind: 'cash' },
    ]);
    await convert(h, program.id, member.referralCode);
    const payout = await waitFor(async () => {
      const list = await h.call('GET', `/api/v1/payouts?memberId=${member.id}`);
      return list.body.data[0]?.status === 'waiting_provider' ? list.body.data[0] : undefined;
    }, 30_000, 'a payout waiting for a provider');
    await new Promise((r) => setTimeout(r, 1000));
    await h.call('POST', '/api/v1/connectors', {
      kind: 'paypal', name: 'PayPal', settings: { baseUrl: fake.url, rewardKinds: ['cash'] }, secrets: { clientId: 'history-client', clientSecret: 'history-secret' },
    });
    await waitFor(async () => (await h.call('GET', `/api/v1/payouts/${payout.id}`)).body.status === 'paid', 60_000, 'the payout paid');
    await new Promise((r) => setTimeout(r, 1000));
    expect(await save('payout', `payout:${payout.id}`)).toBeGreaterThan(10);
  } finally {
    await fake.close();
  }
}, 120_000);

it('shareEmail: an invite the mail server greylists once, then accepts', async () => {
  const smtp = await startSmtpTestServer();
  try {
    const connector = await h.call('POST', '/api/v1/connectors', {
      kind: 'email', name: 'Invites', settings: { host: '127.0.0.1', port: smtp.port, from: 'friends@rec.test', to: ['ops@rec.test'], caCertificate: smtp.caPem }, secrets: {},
    });
    const { program, member } = await programWithMember(h, []);
    await h.call('PATCH', `/api/v1/programs/${program.id}`, { share: { emailConnectorId: connector.body.id, offer: { headline: 'Give $10, get $20' } } });
    smtp.failNext(451, 'Greylisted');
    const res = await h.call('POST', `/api/v1/members/${member.id}/invites`, { emails: ['cy@friends.test'], message: 'Try it' });
    expect(res.body.invited).toEqual(['cy@friends.test']);
    const [row] = await h.db.sql<{ id: string }[]>`select id from share_emails where email = 'cy@friends.test'`;
    await h.client.workflow.getHandle(`share-email:${row!.id}`).result();
    expect(smtp.messages).toHaveLength(1);
    expect(await save('shareEmail', `share-email:${row!.id}`)).toBeGreaterThan(10);
  } finally {
    await smtp.close();
  }
}, 120_000);

it('enrolment: a welcome email, a durable timer, then the reminder nobody clicked', async () => {
  const smtp = await startSmtpTestServer();
  try {
    const connector = await h.call('POST', '/api/v1/connectors', {
      kind: 'email', name: 'Welcome', settings: { host: '127.0.0.1', port: smtp.port, from: 'friends@rec.test', to: ['ops@rec.test'], caCertificate: smtp.caPem }, secrets: {},
    });
    const { program } = await programWithMember(h, [], {
      share: { emailConnectorId: connector.body.id },
      enrolment: { on: ['purchase'], sendWelcome: true, reminderAfter: '2s' },
    });
    const res = await h.call('POST', '/api/v1/customers/events', { programId: program.id, email: 'eve@customers.test', firstName: 'Eve', type: 'purchase' });
    expect(res.body.enrolled).toBe(true);
    await h.client.workflow.getHandle(`enrolment:${res.body.memberId}`).result();
    expect(smtp.messages).toHaveLength(2);
    expect(await save('enrolment', `enrolment:${res.body.memberId}`)).toBeGreaterThan(15);
  } finally {
    await smtp.close();
  }
}, 120_000);
