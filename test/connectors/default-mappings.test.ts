import { afterAll, beforeAll, expect, it } from 'vitest';
import { convert, waitForRewards } from '../support/fixtures.js';
import { startHubSpotFake, type HubSpotFake } from '../support/hubspot-fake.js';
import { createHarness, waitFor, type Harness } from '../support/hub-harness.js';
import { contractSpecPath, startPrismMock, type PrismMock } from '../support/prism-mock.js';
import { startSailthruFake, type SailthruFake } from '../support/sailthru-fake.js';
import { startSalesforceFake, type SalesforceFake } from '../support/salesforce-fake.js';

// Connectors created with credentials only: no mapping, no event filter. Each kind's default
// mapping decides what reaches its stand-in, and every stand-in checks what the provider checks.
const HUBSPOT_TOKEN = 'pat-na1-defaults-0123456789';
const MAILCHIMP_KEY = '0123456789abcdef0123456789abcdef-us19';
const MAILCHIMP_LIST = 'f1e2d3c4b5';
const SAILTHRU = { apiKey: 'sailthru-defaults-key', apiSecret: 'sailthru-defaults-secret' };
const SALESFORCE = { clientId: 'defaults-client', clientSecret: 'defaults-secret' };
const EXTERNAL_ID = 'Referral_Email__c';

let h: Harness;
let hubspot: HubSpotFake;
let mailchimp: PrismMock;
let sailthru: SailthruFake;
let salesforce: SalesforceFake;

beforeAll(async () => {
  h = await createHarness();
  [hubspot, mailchimp, sailthru, salesforce] = await Promise.all([
    // A portal with HubSpot's own properties only: the hub's must be created by the connector.
    startHubSpotFake({ accessToken: HUBSPOT_TOKEN }),
    startPrismMock(contractSpecPath('mailchimp-marketing-v3-lists.json')),
    startSailthruFake(SAILTHRU),
    startSalesforceFake({ ...SALESFORCE, externalIdFields: { Lead: EXTERNAL_ID } }),
  ]);
});
afterAll(async () => {
  await h?.close();
  await Promise.all([hubspot?.close(), mailchimp?.close(), sailthru?.close(), salesforce?.close()]);
});

type SentMember = { email_address: string; merge_fields: Record<string, unknown> };

/**
 * Every audience member Mailchimp was sent, in order: a member PUT or, when events arrived
 * together, a batch subscribe (which calls the status `status` rather than `status_if_new`).
 */
function mailchimpMembers(): SentMember[] {
  return mailchimp.exchanges.flatMap((x) => {
    const path = x.path.split('?')[0]!;
    let sent: SentMember[] = [];
    if (x.method === 'PUT' && path.startsWith(`/lists/${MAILCHIMP_LIST}/members/`)) sent = [JSON.parse(x.requestBody)];
    if (x.method === 'POST' && path === `/lists/${MAILCHIMP_LIST}`) sent = JSON.parse(x.requestBody).members;
    return sent.map(({ email_address, merge_fields }) => ({ email_address, merge_fields }));
  });
}

it('a connector of each kind created with credentials only delivers members and referrals to its stand-in, with the default fields', async () => {
  const program = await h.call('POST', '/api/v1/programs', {
    name: 'Defaults',
    slug: `defaults-${Date.now().toString(36)}`,
    landingUrl: 'https://acme.example/welcome',
    currency: 'USD',
    rewardRules: [
      { name: 'Referrer bonus', trigger: 'conversion', recipient: 'member', amount: { type: 'fixed', value: 20 }, kind: 'cash' },
    ],
  });
  expect(program.status, JSON.stringify(program.body)).toBe(201);
  const programIds = [program.body.id as string];
  const bodies = [
    { kind: 'hubspot', name: 'HubSpot', settings: { baseUrl: hubspot.url }, secrets: { accessToken: HUBSPOT_TOKEN } },
    {
      kind: 'mailchimp',
      name: 'Mailchimp',
      settings: { listId: MAILCHIMP_LIST, baseUrl: mailchimp.url },
      secrets: { apiKey: MAILCHIMP_KEY },
    },
    {
      kind: 'salesforce',
      name: 'Salesforce',
      settings: { loginUrl: salesforce.url, object: 'Lead', externalIdField: EXTERNAL_ID },
      secrets: SALESFORCE,
    },
    { kind: 'sailthru', name: 'Sailthru', settings: { listName: 'Advocates', baseUrl: sailthru.url }, secrets: SAILTHRU },
  ];
  const connectorIds: string[] = [];
  for (const body of bodies) {
    const res = await h.call('POST', '/api/v1/connectors', { ...body, programIds });
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    expect(res.body.mapping).toBeNull();
    connectorIds.push(res.body.id);
  }

  // A member who gave only a first name, then a friend they referred, a reward, some activity,
  // and the friend's status moving on.
  const member = (
    await h.call('POST', '/api/v1/members', { programId: programIds[0], email: `ann-${Date.now()}@acme-partners.test`, firstName: 'Ann' })
  ).body;
  const friend = await convert(h, programIds[0]!, member.referralCode, { firstName: 'Bob', lastName: 'Lee', phone: '+1 555 0100' });
  await waitForRewards(h, friend.id, 1, (r) => r.status === 'approved', 40_000);
  const activity = await h.call('POST', '/api/v1/events', {
    programId: programIds[0],
    referral: { id: friend.id },
    type: 'purchase',
    amount: 50,
    currency: 'USD',
  });
  expect(activity.status, JSON.stringify(activity.body)).toBe(202);
  expect((await h.call('PATCH', `/api/v1/referrals/${friend.id}`, { status: 'qualified' })).status).toBe(200);

  const memberEmail = member.email as string;
  const friendEmail = friend.email as string;
  await waitFor(
    async () =>
      hubspot.contacts.get(friendEmail)?.properties.referral_hub_status === 'qualified' &&
      mailchimpMembers().filter((m) => m.email_address === friendEmail).length >= 2 &&
      salesforce.records.Lead.has(friendEmail) &&
      sailthru.users.get(friendEmail)?.vars.referral_status === 'qualified',
    20_000,
    'the status change at every stand-in',
  );

  // HubSpot: its contact properties, plus the hub's three, created in the portal first.
  expect(hubspot.contacts.get(memberEmail.toLowerCase())?.properties).toEqual({
    email: memberEmail,
    firstname: 'Ann',
    referral_hub_code: member.referralCode,
    referral_hub_link: member.referralUrl,
  });
  expect(hubspot.contacts.get(friendEmail)?.properties).toEqual({
    email: friendEmail,
    firstname: 'Bob',
    lastname: 'Lee',
    phone: '+1 555 0100',
    referral_hub_status: 'qualified',
  });
  expect(['referral_hub_status', 'referral_hub_code', 'referral_hub_link'].every((name) => hubspot.properties.has(name))).toBe(true);

  // Mailchimp (Prism on Mailchimp's own spec): REFCODE and REFURL added to the audience, then the
  // members, and not one request outside the contract.
  expect(mailchimp.exchanges.filter((x) => x.status >= 300 || x.violations !== undefined)).toEqual([]);
  const addedFields = mailchimp.exchanges
    .filter((x) => x.method === 'POST' && x.path.endsWith('/merge-fields'))
    .map((x) => JSON.parse(x.requestBody).tag);
  expect(addedFields.sort()).toEqual(['REFCODE', 'REFURL']);
  expect(mailchimpMembers()).toEqual([
    { email_address: memberEmail, merge_fields: { FNAME: 'Ann', REFCODE: member.referralCode, REFURL: member.referralUrl } },
    { email_address: friendEmail, merge_fields: { FNAME: 'Bob', LNAME: 'Lee' } },
    { email_address: friendEmail, merge_fields: { FNAME: 'Bob', LNAME: 'Lee' } },
  ]);

  // Salesforce: Leads by the email External ID, required fields filled when the hub has no value.
  expect(salesforce.records.Lead.get(memberEmail)).toMatchObject({
    [EXTERNAL_ID]: memberEmail,
    Email: memberEmail,
    FirstName: 'Ann',
    LastName: '[not provided]',
    Company: '[not provided]',
  });
  expect(salesforce.records.Lead.get(friendEmail)).toMatchObject({
    [EXTERNAL_ID]: friendEmail,
    Email: friendEmail,
    FirstName: 'Bob',
    LastName: 'Lee',
    Phone: '+1 555 0100',
    Company: '[not provided]',
  });

  // Sailthru: profiles by email with vars, on the configured list.
  expect(sailthru.users.get(memberEmail)?.vars).toEqual({
    first_name: 'Ann',
    referral_code: member.referralCode,
    referral_url: member.referralUrl,
  });
  expect(sailthru.users.get(friendEmail)?.vars).toEqual({
    first_name: 'Bob',
    last_name: 'Lee',
    phone: '+1 555 0100',
    referral_status: 'qualified',
  });
  expect(Object.keys(sailthru.users.get(friendEmail)!.lists)).toEqual(['Advocates']);

  // The ledgers: members and referrals delivered once each; rewards and activity are not sent by
  // the defaults, so they leave no delivery (and no dead letter) behind.
  for (const id of connectorIds) {
    const deliveries = await waitFor(
      async () => {
        const data = (await h.call('GET', `/api/v1/connectors/${id}/deliveries`)).body.data as { eventType: string; status: string }[];
        return data.length >= 3 ? data : undefined;
      },
      10_000,
      `ledger of ${id}`,
    );
    expect(deliveries.map((d) => `${d.eventType} ${d.status}`).sort(), id).toEqual([
      'member.created succeeded',
      'referral.created succeeded',
      'referral.status_changed succeeded',
    ]);
  }
});

it('GET /api/v1/connector-kinds shows each default mapping, and preview applies it to a connector without one', async () => {
  const kinds = await h.call('GET', '/api/v1/connector-kinds');
  expect(kinds.status).toBe(200);
  const byKind = new Map((kinds.body.data as { kind: string; defaultMapping: unknown }[]).map((k) => [k.kind, k.defaultMapping]));
  // Webhooks and Zapier keep their contract: no mapping means the full public JSON.
  expect(byKind.get('webhook')).toBeNull();
  expect(byKind.get('zapier')).toBeNull();
  expect(byKind.get('hubspot')).toEqual([
    expect.objectContaining({
      events: ['member.created', 'member.updated'],
      mapping: expect.arrayContaining([{ target: 'referral_hub_link', source: 'member.referralUrl' }]),
    }),
    expect.objectContaining({
      events: ['referral.created', 'referral.status_changed'],
      mapping: expect.arrayContaining([{ target: 'referral_hub_status', source: 'referral.status' }]),
    }),
  ]);
  expect(byKind.get('mailchimp')).toEqual([
    expect.objectContaining({
      mapping: expect.arrayContaining([
        { target: 'REFCODE', source: 'member.referralCode' },
        { target: 'REFURL', source: 'member.referralUrl' },
      ]),
    }),
    expect.objectContaining({ mapping: expect.arrayContaining([{ target: 'email', source: 'referral.email' }]) }),
  ]);
  expect(byKind.get('salesforce')).toEqual([
    expect.objectContaining({
      mapping: expect.arrayContaining([{ target: 'LastName', source: 'member.lastName', empty: '[not provided]' }]),
    }),
    expect.objectContaining({
      mapping: expect.arrayContaining([{ target: 'Company', source: 'referral.customFields.company', empty: '[not provided]' }]),
    }),
  ]);
  expect(byKind.get('sailthru')).toEqual([
    expect.objectContaining({ mapping: expect.arrayContaining([{ target: 'referral_url', source: 'member.referralUrl' }]) }),
    expect.objectContaining({ mapping: expect.arrayContaining([{ target: 'referral_status', source: 'referral.status' }]) }),
  ]);

  // The connectors of the first test have no mapping: preview shows what their default sent.
  const list = (await h.call('GET', '/api/v1/connectors?kind=hubspot')).body.data as { id: string }[];
  const preview = await h.call('POST', `/api/v1/connectors/${list[0]!.id}/preview?limit=10`);
  expect(preview.status).toBe(200);
  const records = preview.body.data as { type: string; data: Record<string, unknown> }[];
  // Rewards and activity are left out: the default sends neither.
  expect(records.map((r) => r.type)).toEqual(['member.created', 'referral.created', 'referral.status_changed']);
  expect(Object.keys(records[0]!.data).sort()).toEqual(['email', 'firstname', 'referral_hub_code', 'referral_hub_link']);
  expect(records[2]!.data).toEqual({
    email: expect.stringMatching(/^friend-/) as string,
    firstname: 'Bob',
    lastname: 'Lee',
    phone: '+1 555 0100',
    referral_hub_status: 'qualified',
  });
});

it('replaying history through a default mapping sends only what it maps, and the replay queue drains', async () => {
  const list = (await h.call('GET', '/api/v1/connectors?kind=sailthru')).body.data as { id: string }[];
  const id = list[0]!.id;
  const before = sailthru.requests.filter((r) => r.path === '/user' && r.method === 'POST').length;
  // The range holds rewards and activity too; they are not the default's to send.
  const replay = await h.call('POST', `/api/v1/connectors/${id}/replay`, {
    from: new Date(Date.now() - 3_600_000).toISOString(),
    to: new Date(Date.now() + 60_000).toISOString(),
  });
  expect(replay.status, JSON.stringify(replay.body)).toBe(202);
  expect(replay.body.queued).toBeGreaterThan(3);

  await waitFor(
    async () => sailthru.requests.filter((r) => r.path === '/user' && r.method === 'POST').length >= before + 3,
    15_000,
    'the replayed profiles',
  );
  const left = await waitFor(
    async () => {
      const [row] = await h.db.sql<{ n: number }[]>`select count(*)::int as n from connector_replays where connector_id = ${id}`;
      return row!.n === 0 ? row : undefined;
    },
    15_000,
    'an empty replay queue',
  );
  expect(left.n).toBe(0);
  await new Promise((r) => setTimeout(r, 1000));
  expect(sailthru.requests.filter((r) => r.path === '/user' && r.method === 'POST').length).toBe(before + 3);
  const deliveries = (await h.call('GET', `/api/v1/connectors/${id}/deliveries`)).body.data as {
    eventType: string;
    status: string;
    attempts: number;
  }[];
  expect(deliveries.map((d) => `${d.eventType} ${d.status} ${d.attempts}`).sort()).toEqual([
    'member.created succeeded 2',
    'referral.created succeeded 2',
    'referral.status_changed succeeded 2',
  ]);
});
