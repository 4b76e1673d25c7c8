import { randomBytes } from 'node:crypto';
import { Webhook } from 'standardwebhooks';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startLocalReceiver, type LocalReceiver } from '../support/start-local-receiver.js';
import { connectorSyncWorkflowId } from '../../workflows/sandboxed/connector-sync-signal.js';
import { referralWorkflowId } from '../../workflows/sandboxed/referral-signal.js';
import { convert, programWithMember } from '../support/fixtures.js';
import { startHubSpotFake, type HubSpotFake } from '../support/hubspot-fake.js';
import { createHarness, waitFor, type Harness } from '../support/hub-harness.js';

const SECRET = `whsec_${randomBytes(32).toString('base64')}`;
const TOKEN = 'pat-na1-0123456789';
// The custom properties the mappings below write; the portal refuses values for unknown ones.
const CUSTOM_PROPERTIES = ['gender', 'referral_link'];
let h: Harness;
let hubspot: HubSpotFake;
beforeAll(async () => {
  h = await createHarness({ syncBackoffMs: [300, 600, 1000], syncDisableAfter: 4 });
  hubspot = await startHubSpotFake({ accessToken: TOKEN, properties: CUSTOM_PROPERTIES });
});
afterAll(async () => {
  await h?.close();
  await hubspot?.close();
});

async function connector(body: Record<string, unknown>) {
  const res = await h.call('POST', '/api/v1/connectors', body);
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  return res.body;
}
const deliveriesOf = async (id: string) => (await h.call('GET', `/api/v1/connectors/${id}/deliveries?limit=200`)).body.data;

describe('webhook', () => {
  let receiver: LocalReceiver;
  beforeAll(async () => {
    receiver = await startLocalReceiver();
  });
  afterAll(async () => {
    await receiver?.close();
  });

  it('delivers a signed envelope with mapped fields once, records it, and re-delivers on retry and replay', async () => {
    const { program, member } = await programWithMember(h, []);
    const con = await connector({
      kind: 'webhook',
      name: 'CRM',
      settings: { url: receiver.url },
      secrets: { signingSecret: SECRET },
      events: ['referral.created'],
      programIds: [program.id],
      mapping: [
        { target: 'email', source: 'referral.email' },
        { target: 'gender', source: 'referral.customFields.gender', valueMap: { M: 'Male' }, noMatch: 'Other', empty: 'Unknown' },
      ],
    });
    const started = Date.now();
    const referral = await convert(h, program.id, member.referralCode, { customFields: { gender: 'M' } });
    await waitFor(async () => receiver.requests.length >= 1, 5000, 'webhook within 5 s');
    expect(Date.now() - started).toBeLessThan(5000);

    const req = receiver.requests[0]!;
    const payload = new Webhook(SECRET).verify(req.body, req.headers) as { id: string; type: string; data: unknown };
    expect(payload.type).toBe('referral.created');
    expect(payload.data).toEqual({ email: referral.email, gender: 'Male' });
    expect(req.headers['webhook-id']).toBe(payload.id);

    const [delivery] = await waitFor(async () => {
      const d = await deliveriesOf(con.id);
      return d.length === 1 ? d : undefined;
    });
    expect(delivery).toMatchObject({ status: 'succeeded', eventId: payload.id, eventType: 'referral.created' });
    await new Promise((r) => setTimeout(r, 1000));
    expect(receiver.requests).toHaveLength(1); // exactly once

    expect((await h.call('POST', `/api/v1/deliveries/${delivery.id}/retry`)).status).toBe(202);
    await waitFor(async () => receiver.requests.length === 2, 10_000, 'retry re-delivered');
    expect(receiver.requests[1]!.headers['webhook-id']).toBe(payload.id);

    const replay = await h.call('POST', `/api/v1/connectors/${con.id}/replay`, {
      from: new Date(started - 60_000).toISOString(),
      to: new Date(Date.now() + 60_000).toISOString(),
    });
    expect(replay.body.queued).toBe(1);
    await waitFor(async () => receiver.requests.length === 3, 10_000, 'replay re-delivered');
    expect(receiver.requests[2]!.headers['webhook-id']).toBe(payload.id);
    // The ledger is written right after the push returns, so it may trail the receiver a little.
    await waitFor(async () => (await deliveriesOf(con.id))[0].attempts === 3, 10_000, 'three attempts in the ledger');
    expect(await deliveriesOf(con.id)).toHaveLength(1);
  });

  it("deleting a connector deletes its ledger and no other connector's", async () => {
    const { program, member } = await programWithMember(h, []);
    const con = await connector({
      kind: 'webhook',
      name: 'Gone soon',
      settings: { url: receiver.url },
      secrets: { signingSecret: SECRET },
      events: ['referral.created'],
      programIds: [program.id],
    });
    const other = await connector({
      kind: 'webhook',
      name: 'Stays',
      settings: { url: receiver.url },
      secrets: { signingSecret: SECRET },
      events: ['referral.created'],
      programIds: [program.id],
    });
    await convert(h, program.id, member.referralCode);
    await waitFor(
      async () => (await deliveriesOf(con.id)).length === 1 && (await deliveriesOf(other.id)).length === 1,
      10_000,
      'a delivery through each',
    );
    expect((await h.call('DELETE', `/api/v1/connectors/${con.id}`)).status).toBe(204);
    const rows = async (id: string) =>
      (await h.db.sql<{ n: number }[]>`select count(*)::int as n from deliveries where connector_id = ${id}`)[0]!.n;
    expect(await rows(con.id)).toBe(0);
    expect(await rows(other.id)).toBe(1);
  });

  it('syncs run on the sync task queue, apart from referral lifecycles', async () => {
    const { program, member } = await programWithMember(h, []);
    const con = await connector({
      kind: 'webhook',
      name: 'Queue',
      settings: { url: receiver.url },
      secrets: { signingSecret: SECRET },
      events: ['referral.created'],
      programIds: [program.id],
    });
    const referral = await convert(h, program.id, member.referralCode);
    await waitFor(async () => (await deliveriesOf(con.id)).length === 1, 10_000, 'a delivery');
    const sync = await h.client.workflow.getHandle(connectorSyncWorkflowId(con.id)).describe();
    expect(sync.taskQueue).toBe(`${h.taskQueue}-sync`);
    const lifecycle = await waitFor(
      () =>
        h.client.workflow
          .getHandle(referralWorkflowId(referral.id))
          .describe()
          .catch(() => undefined),
      10_000,
      'the lifecycle',
    );
    expect(lifecycle.taskQueue).toBe(h.taskQueue);
  });

  it('retries 5xx with backoff until the receiver recovers', async () => {
    const flaky = await startLocalReceiver();
    let calls = 0;
    flaky.reply = () => (++calls <= 2 ? { status: 503 } : { status: 200 });
    try {
      const { program, member } = await programWithMember(h, []);
      await connector({
        kind: 'webhook',
        name: 'Flaky',
        settings: { url: flaky.url },
        secrets: { signingSecret: SECRET },
        events: ['referral.created'],
        programIds: [program.id],
      });
      await convert(h, program.id, member.referralCode);
      await waitFor(async () => calls >= 3, 15_000, 'third attempt');
      const ids = new Set(flaky.requests.map((r) => r.headers['webhook-id']));
      expect(ids.size).toBe(1); // the same message every time
    } finally {
      await flaky.close();
    }
  });
});

describe('hubspot', () => {
  const hub = (programId: string, token = TOKEN, baseUrl = hubspot.url) => ({
    kind: 'hubspot',
    name: 'HubSpot',
    settings: { baseUrl },
    secrets: { accessToken: token },
    events: ['referral.created'],
    programIds: [programId],
    mapping: [
      // A company may keep the CRM address in a custom field; when it is junk, HubSpot refuses that record.
      { target: 'email', source: 'referral.customFields.crmEmail', empty: '' },
      { target: 'firstname', source: 'referral.firstName' },
      { target: 'referral_link', source: 'member.referralUrl' },
    ],
  });

  it('upserts contacts; a bad email is dead-lettered with its reason while others go through', async () => {
    const { program, member } = await programWithMember(h, []);
    const con = await connector(hub(program.id));
    await convert(h, program.id, member.referralCode, { firstName: 'Gina', customFields: { crmEmail: 'gina@crm.example' } });
    await waitFor(async () => hubspot.contacts.has('gina@crm.example'), 10_000, 'contact upserted');
    expect(hubspot.contacts.get('gina@crm.example')!.properties).toMatchObject({ firstname: 'Gina', referral_link: member.referralUrl });

    const bad = await convert(h, program.id, member.referralCode, { customFields: { crmEmail: 'not-an-email' } });
    const dead = await waitFor(
      async () => (await deliveriesOf(con.id)).find((d: { status: string }) => d.status === 'dead'),
      10_000,
      'dead letter',
    );
    expect(dead.eventId).toBeDefined();
    expect(dead.lastError).toMatch(/invalid/i);
    expect([...hubspot.contacts.keys()]).not.toContain('not-an-email');
    expect(bad.id).toBeDefined();
  });

  it('auth failure marks the connector failing with a clear message', async () => {
    const { program, member } = await programWithMember(h, []);
    const con = await connector(hub(program.id, 'pat-wrong-token'));
    await convert(h, program.id, member.referralCode, { customFields: { crmEmail: 'auth@crm.example' } });
    const failing = await waitFor(
      async () => {
        const c = (await h.call('GET', `/api/v1/connectors/${con.id}`)).body;
        return c.status === 'failing' ? c : undefined;
      },
      10_000,
      'failing status',
    );
    expect(failing.statusReason).toMatch(/401|auth/i);
    expect(failing.statusReason).not.toContain('pat-wrong-token');
    // Stop it retrying against the shared fake.
    await h.call('PATCH', `/api/v1/connectors/${con.id}`, { enabled: false });
  });

  it('honours Retry-After on 429: no request before the allowed time', async () => {
    const own = await startHubSpotFake({ accessToken: TOKEN, properties: CUSTOM_PROPERTIES });
    try {
      const { program, member } = await programWithMember(h, []);
      await connector(hub(program.id, TOKEN, own.url));
      own.forceNext({ status: 429, retryAfter: '2', policyName: 'TEN_SECONDLY_ROLLING' });
      await convert(h, program.id, member.referralCode, { customFields: { crmEmail: 'wait@crm.example' } });
      const times: number[] = [];
      await waitFor(
        async () => {
          while (own.requests.length > times.length) times.push(Date.now());
          return own.contacts.has('wait@crm.example');
        },
        15_000,
        'delivered after the wait',
      );
      expect(times).toHaveLength(2);
      expect(times[1]! - times[0]!).toBeGreaterThanOrEqual(1900);
    } finally {
      await own.close();
    }
  });
});

describe('zapier REST hooks', () => {
  it('subscribe, deliver, samples, and 410 unsubscribes', async () => {
    const target = await startLocalReceiver();
    try {
      const { program, member } = await programWithMember(h, []);
      const sub = await h.call('POST', '/api/v1/hooks', { event: 'referral.created', targetUrl: target.url });
      expect(sub.status).toBe(201);
      expect(sub.body.id).toMatch(/^hook_/);
      const referral = await convert(h, program.id, member.referralCode);
      await waitFor(async () => target.requests.some((r) => JSON.parse(r.body).data.id === referral.id), 5000, 'hook delivered');
      const samples = await h.call('GET', '/api/v1/hooks/samples/referral.created');
      expect(samples.body[0].type).toBe('referral.created');

      target.reply = () => ({ status: 410 });
      await convert(h, program.id, member.referralCode);
      await waitFor(
        async () => (await h.call('GET', `/api/v1/connectors/${sub.body.id}`)).status === 404,
        10_000,
        'hook removed after 410',
      );
      expect((await h.call('DELETE', `/api/v1/hooks/${sub.body.id}`)).status).toBe(404);
    } finally {
      await target.close();
    }
  });
});
