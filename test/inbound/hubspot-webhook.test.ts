import { createHmac, randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../lib/config.js';
import { convert, programWithMember, waitForRewards } from '../support/fixtures.js';
import { createHarness, type Harness } from '../support/hub-harness.js';
import { startHubSpotFake } from '../support/hubspot-fake.js';

const APP_SECRET = randomBytes(18).toString('hex');
const HUBSPOT_TOKEN = 'pat-na1-00000000-1111-2222-3333-444444444444';
let h: Harness;
beforeAll(async () => {
  h = await createHarness({
    webhooks: { hubspotAppSecret: APP_SECRET, hubspotQualifiedStages: ['qualifiedtobuy', '1234567'], hubspotApprovedStages: ['closedwon'] },
  });
});
afterAll(async () => {
  await h?.close();
});

let eventCounter = 1;

/** A `deal.propertyChange` event as HubSpot sends it, plus the `properties` the hub needs to find the referral. */
const stageChange = (stage: string, properties: Record<string, string>) => ({
  eventId: eventCounter++,
  subscriptionId: 2001,
  portalId: 62515,
  appId: 54321,
  occurredAt: Date.now(),
  subscriptionType: 'deal.propertyChange',
  attemptNumber: 0,
  objectId: 98765,
  propertyName: 'dealstage',
  propertyValue: stage,
  changeSource: 'CRM',
  properties,
});

/** HubSpot v3: base64 HMAC-SHA256 of method + the URL it called (our public URL) + body + timestamp. */
function sign(raw: string, timestamp: string, secret = APP_SECRET) {
  return createHmac('sha256', secret).update(`POST${'http://hub.test/webhooks/hubspot'}${raw}${timestamp}`).digest('base64');
}

async function deliver(events: unknown[], opts: { secret?: string; timestamp?: number } = {}) {
  const raw = JSON.stringify(events);
  const timestamp = String(opts.timestamp ?? Date.now());
  const res = await h.app.request('/webhooks/hubspot', {
    method: 'POST',
    body: raw,
    headers: {
      'content-type': 'application/json',
      'x-hubspot-request-timestamp': timestamp,
      'x-hubspot-signature-v3': sign(raw, timestamp, opts.secret),
    },
  });
  return { status: res.status, body: (await res.json()) as any };
}

const qualifiedRule = {
  name: 'Qualified lead',
  trigger: 'qualified',
  recipient: 'member',
  amount: { type: 'fixed', value: 50 },
  kind: 'cash',
};

describe('POST /webhooks/hubspot', () => {
  it('a signed deal stage change qualifies the referral (found by email) and earns the qualified reward', async () => {
    const { program, member } = await programWithMember(h, [qualifiedRule]);
    const referral = await convert(h, program.id, member.referralCode);
    const res = await deliver([
      stageChange('qualifiedtobuy', { email: referral.email.toUpperCase() }),
      { eventId: 77, subscriptionType: 'contact.creation', objectId: 1 },
      stageChange('appointmentscheduled', { email: referral.email }),
    ]);
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expect(res.body.results).toEqual([
      { eventId: expect.any(String), outcome: 'updated', referralId: referral.id, status: 'qualified' },
      { eventId: '77', outcome: 'ignored', reason: 'not a deal stage change' },
      { eventId: expect.any(String), outcome: 'ignored', reason: 'stage "appointmentscheduled" is not mapped to a referral status' },
    ]);
    expect((await h.call('GET', `/api/v1/referrals/${referral.id}`)).body.status).toBe('qualified');
    const [reward] = await waitForRewards(h, referral.id, 1);
    expect(reward).toMatchObject({ trigger: 'qualified', amount: 50, memberId: member.id });
  });

  it('an approved stage with our referral id approves it; a later step back is ignored, not an error', async () => {
    const { program, member } = await programWithMember(h, []);
    const referral = await convert(h, program.id, member.referralCode);
    const approved = await deliver([stageChange('closedwon', { referralId: referral.id })]);
    expect(approved.body.results[0]).toMatchObject({ outcome: 'updated', status: 'approved', referralId: referral.id });
    const back = await deliver([stageChange('1234567', { referralId: referral.id })]);
    expect(back.status).toBe(200);
    expect(back.body.results[0]).toMatchObject({ outcome: 'ignored', referralId: referral.id });
    expect((await h.call('GET', `/api/v1/referrals/${referral.id}`)).body.status).toBe('approved');
  });

  it('an event without an email, a referral id or a deal id cannot be matched and is ignored', async () => {
    const res = await deliver([{ ...stageChange('closedwon', {}), properties: undefined, objectId: undefined }]);
    expect(res.status).toBe(200);
    expect(res.body.results[0]).toMatchObject({ outcome: 'ignored', reason: 'the event names no referral id and no email' });
  });

  it("HubSpot's own event names only the deal: a workflow looks its contact up in HubSpot and qualifies the referral, once", async () => {
    const fake = await startHubSpotFake({ accessToken: HUBSPOT_TOKEN });
    try {
      const connector = await h.call('POST', '/api/v1/connectors', {
        kind: 'hubspot',
        name: 'CRM',
        settings: { baseUrl: fake.url },
        secrets: { accessToken: HUBSPOT_TOKEN },
        events: ['member.created'],
      });
      expect(connector.status, JSON.stringify(connector.body)).toBe(201);
      const { program, member } = await programWithMember(h, [qualifiedRule]);
      const referral = await convert(h, program.id, member.referralCode);
      const dealId = fake.addDeal(['someone-else@example.com', referral.email]);
      const event = { ...stageChange('qualifiedtobuy', {}), properties: undefined, objectId: Number(dealId) };

      const res = await deliver([event]);
      expect(res.status).toBe(200);
      expect(res.body.results[0]).toEqual({ eventId: String(event.eventId), outcome: 'queued', dealId, status: 'qualified' });
      const outcome = await h.client.workflow.getHandle(`hubspot-deal-stage:${event.eventId}`).result();
      expect(outcome).toEqual({ outcome: 'updated', referralId: referral.id, status: 'qualified' });
      expect((await h.call('GET', `/api/v1/referrals/${referral.id}`)).body.status).toBe('qualified');
      await waitForRewards(h, referral.id, 1);

      // HubSpot delivers the same event again: nothing is looked up twice.
      const lookups = fake.requests.filter((r) => r.path.startsWith('/crm/v3/objects/deals/')).length;
      expect((await deliver([event])).body.results[0].outcome).toBe('queued');
      await new Promise((r) => setTimeout(r, 500));
      expect(fake.requests.filter((r) => r.path.startsWith('/crm/v3/objects/deals/')).length).toBe(lookups);

      // A deal whose contacts have no referral ends as ignored, with the reason.
      const stranger = fake.addDeal(['nobody@example.com']);
      const other = { ...stageChange('qualifiedtobuy', {}), properties: undefined, objectId: Number(stranger) };
      await deliver([other]);
      expect(await h.client.workflow.getHandle(`hubspot-deal-stage:${other.eventId}`).result()).toMatchObject({
        outcome: 'ignored',
        reason: expect.stringContaining('no referral has this email'),
      });
    } finally {
      await fake.close();
    }
  });

  it('a wrong secret or a stale timestamp → 401 and no change', async () => {
    const { program, member } = await programWithMember(h, []);
    const referral = await convert(h, program.id, member.referralCode);
    const events = [stageChange('qualifiedtobuy', { referralId: referral.id })];
    for (const opts of [{ secret: 'not-the-app-secret' }, { timestamp: Date.now() - 10 * 60_000 }]) {
      const res = await deliver(events, opts);
      expect(res.status).toBe(401);
      expect(res.body.error.code).toBe('unauthorized');
    }
    expect((await h.call('GET', `/api/v1/referrals/${referral.id}`)).body.status).toBe('pending');
  });

  it('a signed body that is not a batch of events → 422', async () => {
    const res = await deliver({ not: 'an array' } as unknown as unknown[]);
    expect(res.status).toBe(422);
    expect(res.body.error.code).toBe('validation_failed');
  });

  it('reads the stage lists from comma-separated config', () => {
    const config = loadConfig({
      HUBSPOT_APP_SECRET: 's',
      HUBSPOT_QUALIFIED_STAGES: 'qualifiedtobuy, 1234567,,',
      HUBSPOT_APPROVED_STAGES: '',
    });
    expect(config.HUBSPOT_QUALIFIED_STAGES).toEqual(['qualifiedtobuy', '1234567']);
    expect(config.HUBSPOT_APPROVED_STAGES).toEqual([]);
    expect(loadConfig({}).STRIPE_WEBHOOK_SECRET).toBeUndefined();
  });
});
