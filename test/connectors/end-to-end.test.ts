import { randomBytes } from 'node:crypto';
import { Webhook } from 'standardwebhooks';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { startLocalReceiver, type LocalReceiver } from '../support/start-local-receiver.js';
import { convert, programWithMember } from '../support/fixtures.js';
import { startHubSpotFake, type HubSpotFake } from '../support/hubspot-fake.js';
import { createHarness, waitFor, type Harness } from '../support/hub-harness.js';
import { contractSpecPath, startPrismMock, type PrismMock } from '../support/prism-mock.js';
import { startSailthruFake, type SailthruFake } from '../support/sailthru-fake.js';

const SIGNING_SECRET = `whsec_${randomBytes(32).toString('base64')}`;
const HUBSPOT_TOKEN = 'pat-na1-e2e-0123456789';
const MAILCHIMP_KEY = '0123456789abcdef0123456789abcdef-us19';
const MAILCHIMP_LIST = 'a1b2c3d4e5';
const SAILTHRU = { apiKey: 'sailthru-e2e-key', apiSecret: 'sailthru-e2e-secret' };
const UPSERT_PATH = '/crm/v3/objects/contacts/batch/upsert';

let h: Harness;
let hubspot: HubSpotFake;
let mailchimp: PrismMock;
let sailthru: SailthruFake;
let webhook: LocalReceiver;
let zapier: LocalReceiver;

beforeAll(async () => {
  h = await createHarness();
  [hubspot, mailchimp, sailthru, webhook, zapier] = await Promise.all([
    startHubSpotFake({ accessToken: HUBSPOT_TOKEN, properties: ['gender', 'referral_link'] }),
    startPrismMock(contractSpecPath('mailchimp-marketing-v3-lists.json')),
    startSailthruFake(SAILTHRU),
    startLocalReceiver(),
    startLocalReceiver(),
  ]);
});
afterAll(async () => {
  await h?.close();
  await Promise.all([hubspot?.close(), mailchimp?.close(), sailthru?.close(), webhook?.close(), zapier?.close()]);
});

/** The value map under test: the form stores a code, every destination wants the word. */
const gender = (target: string) => ({
  target,
  source: 'referral.customFields.gender',
  valueMap: { M: 'Male', F: 'Female' },
  noMatch: 'Other',
});

async function connector(body: Record<string, unknown>): Promise<{ id: string }> {
  const res = await h.call('POST', '/api/v1/connectors', { events: ['referral.created'], ...body });
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  return res.body;
}

it('one conversion through the API reaches HubSpot, Mailchimp, Sailthru, a webhook and a Zapier hook within 5 s, once each, mapped', async () => {
  const { program, member } = await programWithMember(h, []);
  const scope = { programIds: [program.id] };
  const created = [
    await connector({
      kind: 'webhook',
      name: 'CRM webhook',
      settings: { url: webhook.url },
      secrets: { signingSecret: SIGNING_SECRET },
      ...scope,
      mapping: [{ target: 'email', source: 'referral.email' }, { target: 'firstName', source: 'referral.firstName' }, gender('gender')],
    }),
    await connector({
      kind: 'hubspot',
      name: 'HubSpot',
      settings: { baseUrl: hubspot.url },
      secrets: { accessToken: HUBSPOT_TOKEN },
      ...scope,
      mapping: [
        { target: 'email', source: 'referral.email' },
        { target: 'firstname', source: 'referral.firstName' },
        gender('gender'),
        { target: 'referral_link', source: 'member.referralUrl' },
      ],
    }),
    await connector({
      kind: 'mailchimp',
      name: 'Mailchimp',
      settings: { listId: MAILCHIMP_LIST, baseUrl: mailchimp.url },
      secrets: { apiKey: MAILCHIMP_KEY },
      ...scope,
      mapping: [
        { target: 'email', source: 'referral.email' },
        { target: 'FNAME', source: 'referral.firstName' },
        gender('GENDER'),
        { target: 'REFURL', source: 'member.referralUrl' },
      ],
    }),
    await connector({
      kind: 'sailthru',
      name: 'Sailthru',
      settings: { listName: 'Referrals', eventNames: ['referral.created'], baseUrl: sailthru.url },
      secrets: SAILTHRU,
      ...scope,
      mapping: [{ target: 'email', source: 'referral.email' }, { target: 'first_name', source: 'referral.firstName' }, gender('gender')],
    }),
  ];
  const hook = await h.call('POST', '/api/v1/hooks', { event: 'referral.created', targetUrl: `${zapier.url}/hooks/catch/123/abc` });
  expect(hook.status, JSON.stringify(hook.body)).toBe(201);
  const connectorIds = [...created.map((c) => c.id), hook.body.id as string];

  const started = Date.now();
  const referral = await convert(h, program.id, member.referralCode, { firstName: 'Bob', customFields: { gender: 'M' } });
  const upserts = () => hubspot.requests.filter((r) => r.path === UPSERT_PATH);
  await waitFor(
    async () =>
      webhook.requests.length > 0 &&
      zapier.requests.length > 0 &&
      upserts().length > 0 &&
      mailchimp.exchanges.some((x) => x.method === 'PUT') &&
      sailthru.events.length > 0,
    5000,
    'all five destinations within 5 s',
  );
  expect(Date.now() - started).toBeLessThan(5000);

  // Give a duplicate time to show up before counting.
  await new Promise((r) => setTimeout(r, 1500));
  const email = referral.email as string;

  expect(webhook.requests).toHaveLength(1);
  const signed = new Webhook(SIGNING_SECRET).verify(webhook.requests[0]!.body, webhook.requests[0]!.headers) as {
    id: string;
    type: string;
    data: unknown;
  };
  expect(signed).toMatchObject({ type: 'referral.created', data: { email, firstName: 'Bob', gender: 'Male' } });

  expect(zapier.requests).toHaveLength(1);
  const zap = JSON.parse(zapier.requests[0]!.body);
  // A REST hook has no mapping: Zapier gets the referral's public JSON, as the samples endpoint shows it.
  expect(zap).toMatchObject({ id: signed.id, type: 'referral.created', data: { id: referral.id, email, customFields: { gender: 'M' } } });

  expect(upserts()).toHaveLength(1);
  expect(hubspot.contacts.get(email)?.properties).toMatchObject({ firstname: 'Bob', gender: 'Male', referral_link: member.referralUrl });

  // REFURL is one of the hub's merge fields: the connector adds it to the audience before the member.
  expect(
    mailchimp.exchanges.map((x) => ({ request: `${x.method} ${x.path.split('?')[0]}`, status: x.status, violations: x.violations })),
  ).toEqual([
    { request: `GET /lists/${MAILCHIMP_LIST}/merge-fields`, status: 200, violations: undefined },
    { request: `POST /lists/${MAILCHIMP_LIST}/merge-fields`, status: 200, violations: undefined },
    {
      request: expect.stringMatching(new RegExp(`^PUT /lists/${MAILCHIMP_LIST}/members/[0-9a-f]{32}$`)) as string,
      status: 200,
      violations: undefined,
    },
  ]);
  expect(JSON.parse(mailchimp.exchanges[2]!.requestBody)).toMatchObject({
    email_address: email,
    merge_fields: { FNAME: 'Bob', GENDER: 'Male', REFURL: member.referralUrl },
  });

  expect(sailthru.requests.map((r) => `${r.method} ${r.path} ${r.status}`)).toEqual(['POST /user 200', 'POST /event 200']);
  expect(sailthru.users.get(email)?.vars).toEqual({ first_name: 'Bob', gender: 'Male' });
  expect(Object.keys(sailthru.users.get(email)!.lists)).toEqual(['Referrals']);
  expect(sailthru.events).toEqual([{ id: email, key: 'email', event: 'referral.created', vars: { first_name: 'Bob', gender: 'Male' } }]);

  // The ledger agrees: one succeeded delivery of the same event per connector.
  // (The ledger row is written right after the push returns, so wait for it rather than race it.)
  for (const id of connectorIds) {
    const deliveries = await waitFor(
      async () => {
        const data = (await h.call('GET', `/api/v1/connectors/${id}/deliveries`)).body.data;
        return data.length > 0 ? data : undefined;
      },
      10_000,
      `ledger of ${id}`,
    );
    expect(
      deliveries.map((d: { status: string; eventId: string; attempts: number }) => [d.status, d.eventId, d.attempts]),
      id,
    ).toEqual([['succeeded', signed.id, 1]]);
  }
});
