import { randomUUID } from 'node:crypto';
import { createRequire } from 'node:module';
import postgres from 'postgres';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { createAppTester } from 'zapier-platform-core';
import { startLocalReceiver, type LocalReceiver } from '../support/start-local-receiver.js';
import { startPayPalFake, type PayPalFake } from '../support/paypal-fake.js';
import { loadConfig } from '../../lib/config.js';
import { createLogger } from '../../lib/logger.js';
import { runHub } from '../../hub/run-hub.js';
import { runWorker } from '../../workflows/worker/run-worker.js';
import { waitFor } from '../support/hub-harness.js';
import { createTestDatabase } from '../support/test-database.js';

// The app is plain CommonJS, as Zapier apps are; load it the way `zapier push` would.
type Perform = (z: never, bundle: never) => unknown;
type Operation = { perform: Perform; performList?: Perform; performSubscribe?: Perform; performUnsubscribe?: Perform };
type ZapierApp = {
  authentication: { test: Perform; connectionLabel: Perform };
  triggers: Record<string, { operation: Operation }>;
  creates: Record<string, { operation: Operation }>;
  searches: Record<string, { operation: Operation }>;
};
const require = createRequire(import.meta.url);
const App = require('../../zapier-app/index.js') as ZapierApp;
// Not in the package's typings, but it is the entry `zapier validate` and Zapier's runtime use.
const { createAppHandler } = require('zapier-platform-core') as {
  createAppHandler: (app: object) => (event: { command: string }) => Promise<{ results: unknown[] }>;
};
const appTester = createAppTester(App);

const KEY = `rh_zapier_${randomUUID().replace(/-/g, '')}`;
const PAYPAL_CLIENT_ID = 'AYSq3RDGsmBLJE-otTkBtM-jBRd1TCQwFf9RGfwddNXWz0uFU9ztymylOhRS';
const PAYPAL_CLIENT_SECRET = 'EGnHDxD_qRPdaLdZz8iCr8N7_MzF-YHPTkjs6NKYQvQSBngp4PTTVWkPZRbL';
let hub: Awaited<ReturnType<typeof runHub>>;
let worker: Awaited<ReturnType<typeof runWorker>>;
let receiver: LocalReceiver;
let paypal: PayPalFake;
let databaseUrl: string;
let hubBase: string;
let authData: { hubUrl: string; apiKey: string };

type Item = Record<string, any>;
const run = (fn: Perform, bundle: Record<string, unknown> = {}) => appTester(fn as never, { authData, ...bundle } as never) as Promise<any>;

async function admin(method: string, path: string, body?: unknown) {
  const res = await fetch(`${hubBase}${path}`, {
    method,
    headers: { Authorization: `Bearer ${KEY}`, 'Content-Type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return { status: res.status, body: res.status === 204 ? null : ((await res.json()) as any) };
}

beforeAll(async () => {
  // A real hub and worker (as `npm start` wires them) on a fresh database; loopback targets
  // allowed so the hub can deliver hooks to the local receiver that stands in for Zapier.
  receiver = await startLocalReceiver(() => ({ status: 200, body: '{"status":"success"}' }));
  paypal = await startPayPalFake({ clientId: PAYPAL_CLIENT_ID, clientSecret: PAYPAL_CLIENT_SECRET });
  databaseUrl = await createTestDatabase();
  const config = {
    ...loadConfig({
      HUB_PORT: '0',
      HUB_HOST: '127.0.0.1',
      HUB_BOOTSTRAP_API_KEY: KEY,
      HUB_SECRET_KEY: 'zapier-test-secret',
      HUB_ALLOW_PRIVATE_TARGETS: 'true',
      TEMPORAL_TASK_QUEUE: `zapier-${randomUUID()}`,
      LOG_LEVEL: 'silent',
    }),
    DATABASE_URL: databaseUrl,
    TEMPORAL_ADDRESS: inject('temporalAddress'),
    HUB_SECRET_KEY: 'zapier-test-secret',
  };
  hub = await runHub(config, createLogger('silent'));
  worker = await runWorker(config, createLogger('silent'));
  hubBase = `http://127.0.0.1:${hub.port}`;
  authData = { hubUrl: `${hubBase}/`, apiKey: KEY };
});
afterAll(async () => {
  await worker?.stop();
  await hub?.stop();
  await receiver?.close();
  await paypal?.close();
});

it("passes zapier-platform-core's own schema validation (what `zapier validate` checks)", async () => {
  const answer = await createAppHandler(App)({ command: 'validate' });
  expect(answer.results).toEqual([]);
});

describe('authentication', () => {
  it('tests the key with GET /api/v1/me and labels the connection with the key name and hub host', async () => {
    const me = await run(App.authentication.test);
    expect(me.apiKey).toMatchObject({ name: expect.any(String), scopes: expect.arrayContaining(['admin']) });
    const label = await run(App.authentication.connectionLabel, { inputData: me });
    expect(label).toBe(`${me.apiKey.name} @ 127.0.0.1:${hub.port}`);
  });

  it('a wrong API key fails the test with a message that says so', async () => {
    await expect(
      appTester(App.authentication.test as never, { authData: { hubUrl: hubBase, apiKey: 'rh_wrong_key_000000000000000000' } } as never),
    ).rejects.toThrow(/rejected the API key \(401\)/);
  });

  it('a Hub URL that is not a URL fails with a message about the URL', async () => {
    await expect(
      appTester(App.authentication.test as never, { authData: { hubUrl: 'referrals.example', apiKey: KEY } } as never),
    ).rejects.toThrow(/not a valid Hub URL/);
  });
});

describe('a Zap lifecycle against the hub', () => {
  it('subscribes, creates, receives the hook, lists samples, searches, records an event and unsubscribes', async () => {
    // A program with a conversion reward, so reward.created happens too (plain fetch: admin-only).
    const slug = `zap-${Date.now().toString(36)}`;
    const program = await admin('POST', '/api/v1/programs', {
      name: 'Zapier Friends',
      slug,
      landingUrl: 'https://acme.example/welcome',
      currency: 'USD',
      rewardRules: [
        { name: 'Referrer bonus', trigger: 'conversion', recipient: 'member', amount: { type: 'fixed', value: 20 }, kind: 'cash' },
      ],
    });
    expect(program.status, JSON.stringify(program.body)).toBe(201);
    const programId: string = program.body.id;

    // The program dropdown behind every action.
    const programs: Item[] = await run(App.triggers.program_list!.operation.perform);
    expect(programs.map((p) => [p.id, p.name])).toContainEqual([programId, 'Zapier Friends']);

    // Turning the Zap on: subscribe the new-referral trigger with Zapier's target URL.
    const targetUrl = `${receiver.url}/hooks/standard/123/abc`;
    const subscribeData = await run(App.triggers.new_referral!.operation.performSubscribe!, { targetUrl });
    expect(subscribeData).toEqual({ id: expect.stringMatching(/^hook_/), event: 'referral.created', targetUrl });

    const member: Item = await run(App.creates.create_member!.operation.perform, {
      inputData: { programId, email: 'ann@example.com', firstName: 'Ann', lastName: '', customFields: { plan: 'pro' } },
    });
    expect(member).toMatchObject({
      id: expect.stringMatching(/^mem_/),
      programId,
      email: 'ann@example.com',
      firstName: 'Ann',
      lastName: null,
      customFields: { plan: 'pro' },
    });
    expect(member.referralCode).toMatch(/^[A-Z0-9]+$/);

    const conversionInput = {
      programId,
      referralCode: member.referralCode,
      email: 'bob@example.com',
      firstName: 'Bob',
      amount: '120',
      currency: 'usd',
      orderId: 'o-1',
    };
    const referral: Item = await run(App.creates.create_conversion!.operation.perform, { inputData: conversionInput });
    expect(referral).toMatchObject({
      id: expect.stringMatching(/^ref_/),
      memberId: member.id,
      email: 'bob@example.com',
      status: 'pending',
      amount: 120,
      currency: 'USD',
      source: 'zapier',
    });
    // Zapier rerunning the step with the same input gets the same referral back.
    const rerun: Item = await run(App.creates.create_conversion!.operation.perform, { inputData: conversionInput });
    expect(rerun.id).toBe(referral.id);

    // The hub pushes the envelope to the target URL; perform turns that body into the Zap's item.
    const delivered = await waitFor(
      async () => receiver.requests.find((r) => r.path === '/hooks/standard/123/abc' && JSON.parse(r.body).data?.id === referral.id),
      10_000,
      'the referral.created hook delivery',
    );
    expect(delivered.method).toBe('POST');
    const envelope = JSON.parse(delivered.body);
    expect(envelope).toMatchObject({ id: expect.stringMatching(/^evt_/), type: 'referral.created' });
    const items: Item[] = await run(App.triggers.new_referral!.operation.perform, { cleanedRequest: envelope });
    expect(items).toHaveLength(1);
    expect(items[0]).toMatchObject({
      id: envelope.id,
      eventType: 'referral.created',
      referralId: referral.id,
      memberId: member.id,
      email: 'bob@example.com',
      orderId: 'o-1',
    });
    // A body of another event type is not this trigger's item.
    expect(await run(App.triggers.new_referral!.operation.perform, { cleanedRequest: { ...envelope, type: 'member.created' } })).toEqual(
      [],
    );

    // The Zap editor's "test trigger": real recent events, newest first, shaped like perform's items.
    const referralSamples: Item[] = await run(App.triggers.new_referral!.operation.performList!);
    expect(referralSamples[0]).toEqual(items[0]);
    const memberSamples: Item[] = await run(App.triggers.new_member!.operation.performList!);
    expect(memberSamples[0]).toMatchObject({
      id: expect.stringMatching(/^evt_/),
      eventType: 'member.created',
      memberId: member.id,
      referralCode: member.referralCode,
    });
    const rewardSamples: Item[] = await waitFor(
      async () => {
        const list: Item[] = await run(App.triggers.new_reward!.operation.performList!);
        return list.length > 0 ? list : undefined;
      },
      10_000,
      'the reward.created sample',
    );
    expect(rewardSamples[0]).toMatchObject({
      eventType: 'reward.created',
      rewardId: expect.stringMatching(/^rwd_/),
      referralId: referral.id,
      amount: 20,
      kind: 'cash',
    });

    const found: Item[] = await run(App.searches.find_referral!.operation.perform, { inputData: { programId, email: 'BOB@example.com' } });
    expect(found.map((r) => r.id)).toEqual([referral.id]);
    expect(await run(App.searches.find_referral!.operation.perform, { inputData: { programId, email: 'nobody@example.com' } })).toEqual([]);

    const eventInput = {
      programId,
      referralEmail: 'bob@example.com',
      type: 'subscription_renewed',
      amount: 30,
      currency: 'USD',
      idempotencyKey: 'inv_1',
    };
    const event: Item = await run(App.creates.add_business_event!.operation.perform, { inputData: eventInput });
    expect(event).toEqual({ eventId: expect.stringMatching(/^bev_/), programId, type: 'subscription_renewed', idempotencyKey: 'inv_1' });
    expect((await run(App.creates.add_business_event!.operation.perform, { inputData: eventInput })).eventId).toBe(event.eventId);
    await expect(
      run(App.creates.add_business_event!.operation.perform, { inputData: { ...eventInput, referralEmail: 'nobody@example.com' } }),
    ).rejects.toThrow(/Referral Hub answered 404/);

    // Each create sent an Idempotency-Key taken from its body (one per distinct body, so the
    // reruns above replayed); the hub stored the first answers.
    const sql = postgres(databaseUrl, { max: 1, onnotice: () => {} });
    try {
      const keys = await sql<{ path: string; response_status: number }[]>`
        select path, response_status from idempotency_keys where key like 'zapier:%' and response_status < 400 order by path`;
      expect(keys.map((k) => [k.path, k.response_status])).toEqual([
        ['/api/v1/conversions', 201],
        ['/api/v1/events', 202],
        ['/api/v1/members', 201],
      ]);
    } finally {
      await sql.end();
    }

    // A status change reaches the status-changed trigger with the previous status.
    expect((await admin('PATCH', `/api/v1/referrals/${referral.id}`, { status: 'qualified' })).status).toBe(200);
    const statusSamples: Item[] = await run(App.triggers.referral_status_changed!.operation.performList!);
    expect(statusSamples[0]).toMatchObject({
      eventType: 'referral.status_changed',
      referralId: referral.id,
      status: 'qualified',
      previousStatus: 'pending',
    });

    // Turning the Zap off removes the hook; a second unsubscribe (hook already gone) still succeeds.
    expect(await run(App.triggers.new_referral!.operation.performUnsubscribe!, { subscribeData })).toEqual({
      id: subscribeData.id,
      removed: true,
    });
    expect((await admin('DELETE', `/api/v1/hooks/${subscribeData.id}`)).status).toBe(404);
    expect((await admin('GET', `/api/v1/connectors/${subscribeData.id}`)).status).toBe(404);
    expect(await run(App.triggers.new_referral!.operation.performUnsubscribe!, { subscribeData })).toEqual({
      id: subscribeData.id,
      removed: false,
    });
  });

  it("a trigger with a program picked hears only that program's events, and lists only its samples", async () => {
    const make = async (name: string) => {
      const program = await admin('POST', '/api/v1/programs', {
        name,
        slug: `${name.toLowerCase()}-${Date.now().toString(36)}`,
        landingUrl: 'https://acme.example/',
        currency: 'USD',
        rewardRules: [],
      });
      const member = await admin('POST', '/api/v1/members', { programId: program.body.id, email: `owner@${name.toLowerCase()}.example` });
      return { programId: program.body.id as string, code: member.body.referralCode as string };
    };
    const [east, west] = [await make('East'), await make('West')];
    const targetUrl = `${receiver.url}/hooks/standard/east/only`;
    const subscribeData = await run(App.triggers.new_referral!.operation.performSubscribe!, {
      targetUrl,
      inputData: { programId: east.programId },
    });
    expect(subscribeData).toMatchObject({ event: 'referral.created', targetUrl, programId: east.programId });

    const inWest = await admin('POST', '/api/v1/conversions', {
      programId: west.programId,
      referralCode: west.code,
      email: 'w@friends.example',
    });
    const inEast = await admin('POST', '/api/v1/conversions', {
      programId: east.programId,
      referralCode: east.code,
      email: 'e@friends.example',
    });
    await waitFor(async () => receiver.requests.some((r) => r.path === '/hooks/standard/east/only'), 10_000, 'the east delivery');
    await new Promise((r) => setTimeout(r, 1000));
    const heard = receiver.requests.filter((r) => r.path === '/hooks/standard/east/only').map((r) => JSON.parse(r.body).data.id);
    expect(heard).toEqual([inEast.body.id]);
    expect(heard).not.toContain(inWest.body.id);

    const westSamples: Item[] = await run(App.triggers.new_referral!.operation.performList!, { inputData: { programId: west.programId } });
    expect(westSamples.map((i) => i.referralId)).toEqual([inWest.body.id]);

    // A key limited to West cannot follow East.
    const limited = await admin('POST', '/api/v1/api-keys', { name: 'west only', scopes: ['write'], programIds: [west.programId] });
    await expect(
      run(App.triggers.new_referral!.operation.performSubscribe!, {
        targetUrl,
        inputData: { programId: east.programId },
        authData: { ...authData, apiKey: limited.body.key },
      }),
    ).rejects.toThrow(/403/);
    await run(App.triggers.new_referral!.operation.performUnsubscribe!, { subscribeData });
  });

  it('Reward Paid and Payout Failed: subscribed hooks hear a reward paid by hand and a payout PayPal refused, and list them as samples', async () => {
    const rules = [
      { name: 'Referrer cash', trigger: 'conversion', recipient: 'member', amount: { type: 'fixed', value: 20 }, kind: 'cash' },
    ];
    const make = async (name: string) => {
      const program = await admin('POST', '/api/v1/programs', {
        name,
        slug: `${name.toLowerCase()}-${Date.now().toString(36)}`,
        landingUrl: 'https://acme.example/',
        currency: 'USD',
        rewardRules: rules,
      });
      expect(program.status, JSON.stringify(program.body)).toBe(201);
      const member = await admin('POST', '/api/v1/members', { programId: program.body.id, email: `owner@${name.toLowerCase()}.example` });
      return { programId: program.body.id as string, memberId: member.body.id as string, code: member.body.referralCode as string };
    };
    // Program "ByHand" pays by hand; program "Broke" pays through a PayPal account with no money left.
    const [byHand, broke] = [await make('ByHand'), await make('Broke')];
    const manual = await admin('POST', '/api/v1/connectors', {
      kind: 'manual',
      name: 'Paid by hand',
      settings: { rewardKinds: ['cash'] },
      secrets: {},
      programIds: [byHand.programId],
    });
    expect(manual.status, JSON.stringify(manual.body)).toBe(201);
    paypal.balance.set('USD', 0);
    const paypalConnector = await admin('POST', '/api/v1/connectors', {
      kind: 'paypal',
      name: 'PayPal',
      settings: { baseUrl: paypal.url, rewardKinds: ['cash'] },
      secrets: { clientId: PAYPAL_CLIENT_ID, clientSecret: PAYPAL_CLIENT_SECRET },
      programIds: [broke.programId],
    });
    expect(paypalConnector.status, JSON.stringify(paypalConnector.body)).toBe(201);

    const paidUrl = `${receiver.url}/hooks/standard/paid/1`;
    const failedUrl = `${receiver.url}/hooks/standard/failed/1`;
    const paidHook = await run(App.triggers.reward_paid!.operation.performSubscribe!, { targetUrl: paidUrl });
    expect(paidHook).toMatchObject({ event: 'reward.paid', targetUrl: paidUrl });
    const failedHook = await run(App.triggers.payout_failed!.operation.performSubscribe!, {
      targetUrl: failedUrl,
      inputData: { programId: broke.programId },
    });
    expect(failedHook).toMatchObject({ event: 'payout.failed', targetUrl: failedUrl, programId: broke.programId });

    const payoutOf = (programId: string, status: string) =>
      waitFor(
        async () => {
          const list = await admin('GET', `/api/v1/payouts?programId=${programId}`);
          return list.body.data.find((p: Item) => p.status === status);
        },
        20_000,
        `a ${status} payout in ${programId}`,
      );
    await admin('POST', '/api/v1/conversions', { programId: byHand.programId, referralCode: byHand.code, email: 'h@friends.example' });
    await admin('POST', '/api/v1/conversions', { programId: broke.programId, referralCode: broke.code, email: 'b@friends.example' });
    const sent = await payoutOf(byHand.programId, 'sent');
    expect((await admin('POST', `/api/v1/payouts/${sent.id}/mark-paid`, { reference: 'SEPA-42' })).status).toBe(200);
    const failed = await payoutOf(broke.programId, 'failed');
    expect(failed.failureCode).toBe('insufficient_funds');
    expect(paypal.batches.size).toBe(0); // refused: nothing was paid

    const bodyAt = (path: string) =>
      waitFor(
        async () => {
          const hit = receiver.requests.find((r) => r.path === path);
          return hit ? JSON.parse(hit.body) : undefined;
        },
        20_000,
        `the delivery to ${path}`,
      );
    const paidEnvelope = await bodyAt('/hooks/standard/paid/1');
    const [paidItem] = await run(App.triggers.reward_paid!.operation.perform, { cleanedRequest: paidEnvelope });
    expect(paidItem).toMatchObject({
      id: paidEnvelope.id,
      eventType: 'reward.paid',
      rewardId: sent.rewardIds[0],
      memberId: byHand.memberId,
      status: 'paid',
      amount: 20,
      payoutId: sent.id,
      payoutProvider: 'manual',
      providerReference: 'SEPA-42',
    });
    const failedEnvelope = await bodyAt('/hooks/standard/failed/1');
    const failedItems: Item[] = await run(App.triggers.payout_failed!.operation.perform, { cleanedRequest: failedEnvelope });
    expect(failedItems).toEqual([
      expect.objectContaining({
        id: failedEnvelope.id,
        eventType: 'payout.failed',
        payoutId: failed.id,
        programId: broke.programId,
        memberId: broke.memberId,
        status: 'failed',
        provider: 'paypal',
        amount: 20,
        failureCode: 'insufficient_funds',
        failureReason: expect.stringMatching(/funds/i),
      }),
    ]);
    // Only its own event type becomes an item: a payout.paid body is not a failure.
    expect(
      await run(App.triggers.payout_failed!.operation.perform, { cleanedRequest: { ...failedEnvelope, type: 'payout.paid' } }),
    ).toEqual([]);
    // Each hook heard its one event, once (the payout's own payout.paid, reward.failed… went elsewhere).
    await new Promise((r) => setTimeout(r, 500));
    expect(receiver.requests.filter((r) => r.path === '/hooks/standard/failed/1')).toHaveLength(1);
    expect(receiver.requests.filter((r) => r.path === '/hooks/standard/paid/1').map((r) => JSON.parse(r.body).type)).toEqual([
      'reward.paid',
    ]);

    // The Zap editor's test step: the same items from the hub's recent events, per program when picked.
    expect((await run(App.triggers.reward_paid!.operation.performList!))[0]).toEqual(paidItem);
    expect(await run(App.triggers.payout_failed!.operation.performList!, { inputData: { programId: broke.programId } })).toEqual(
      failedItems,
    );
    expect(await run(App.triggers.payout_failed!.operation.performList!, { inputData: { programId: byHand.programId } })).toEqual([]);

    for (const [trigger, subscribeData] of [
      ['reward_paid', paidHook],
      ['payout_failed', failedHook],
    ] as const) {
      expect(await run(App.triggers[trigger]!.operation.performUnsubscribe!, { subscribeData })).toEqual({
        id: subscribeData.id,
        removed: true,
      });
    }
  }, 60_000);
  it('Enrol Customer makes a customer a member on an event type the program enrols on, once', async () => {
    const program = await admin('POST', '/api/v1/programs', {
      name: 'Enrolling',
      slug: `enrol-${Date.now().toString(36)}`,
      landingUrl: 'https://acme.example/',
      currency: 'USD',
      rewardRules: [],
      enrolment: { on: ['purchase'], sendWelcome: true, reminderAfter: null },
    });
    expect(program.status, JSON.stringify(program.body)).toBe(201);
    const programId: string = program.body.id;
    const enrol = (inputData: Record<string, unknown>) =>
      run(App.creates.enrol_customer!.operation.perform, { inputData: { programId, ...inputData } });

    const ignored: Item = await enrol({ email: 'eve@example.com', type: 'refund' });
    expect(ignored).toEqual({ memberId: null, enrolled: false, programId, email: 'eve@example.com', type: 'refund' });

    const input = { email: ' eve@example.com ', firstName: 'Eve', lastName: '', type: 'purchase' };
    const enrolled: Item = await enrol(input);
    expect(enrolled).toEqual({
      memberId: expect.stringMatching(/^mem_/),
      enrolled: true,
      programId,
      email: 'eve@example.com',
      type: 'purchase',
    });
    const member = await admin('GET', `/api/v1/members/${enrolled.memberId}`);
    expect(member.body).toMatchObject({ programId, email: 'eve@example.com', firstName: 'Eve', lastName: null });

    // A Zapier rerun replays the first answer; a later purchase finds the member and creates nothing.
    expect(await enrol(input)).toEqual(enrolled);
    expect(await enrol({ ...input, firstName: 'Evelyn' })).toMatchObject({ memberId: enrolled.memberId, enrolled: false });
    const list = await admin('GET', `/api/v1/members?programId=${programId}`);
    expect(list.body.data.map((m: Item) => m.id)).toEqual([enrolled.memberId]);

    await expect(enrol({ email: 'not-an-email', type: 'purchase' })).rejects.toThrow(/Referral Hub answered 422: .+ \(email: /);
  });

  it('hub validation errors come back as readable messages', async () => {
    const program = await admin('POST', '/api/v1/programs', {
      name: 'Errors',
      slug: `err-${Date.now().toString(36)}`,
      landingUrl: 'https://acme.example/',
      currency: 'USD',
      rewardRules: [],
    });
    await expect(
      run(App.creates.create_member!.operation.perform, { inputData: { programId: program.body.id, email: 'not-an-email' } }),
    ).rejects.toThrow(/Referral Hub answered 422: .+ \(email: /);
    await expect(
      run(App.creates.create_conversion!.operation.perform, { inputData: { programId: program.body.id, email: 'bob@example.com' } }),
    ).rejects.toThrow(/Referral Code or the Referrer Member ID/);
  });
});
