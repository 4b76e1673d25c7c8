import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { startLocalReceiver, type LocalReceiver } from '../support/start-local-receiver.js';
import { createSecretBox } from '../../connectors/security/secret-box.js';
import { deriveSecretKey } from '../../lib/secret-key.js';
import { convert, programWithMember } from '../support/fixtures.js';
import { startHubSpotFake, type HubSpotFake } from '../support/hubspot-fake.js';
import { createHarness, TEST_SECRET_KEY, waitFor, type Harness } from '../support/hub-harness.js';
import { startWorkerProcess, type WorkerProcess } from '../support/worker-process.js';
import { contractSpecPath, startPrismMock, type PrismMock } from '../support/prism-mock.js';
import { startSailthruFake, type SailthruFake } from '../support/sailthru-fake.js';

const hex = (bytes: number) => randomBytes(bytes).toString('hex');

// Random and distinctive, so any occurrence outside the sealed column can only be a leak.
const S = {
  hubspotWrong: `pat-na1-wrong-${hex(12)}`,
  hubspotRight: `pat-na1-right-${hex(12)}`,
  sailthruKeyWrong: `stkeywrong${hex(12)}`,
  sailthruKeyRight: `stkeyright${hex(12)}`,
  sailthruSecret: `stsecret${hex(12)}`,
  webhookSigning: `whsec_${randomBytes(32).toString('base64')}`,
  webhookTokenWrong: `whtokwrong${hex(12)}`,
  webhookTokenRight: `whtokright${hex(12)}`,
  mailchimpKey: `${hex(16)}-us19`,
};
/** Every form a secret could leak in: as given, and as the encodings the connectors send. */
const NEEDLES: Record<string, string> = {
  ...S,
  webhookSigningKey: S.webhookSigning.slice('whsec_'.length),
  mailchimpKeyHex: S.mailchimpKey.split('-')[0]!,
  mailchimpBasicAuth: Buffer.from(`user:${S.mailchimpKey}`).toString('base64'),
};

let h: Harness;
let hubspot: HubSpotFake;
let mailchimp: PrismMock;
let sailthru: SailthruFake;
let webhook: LocalReceiver;
let worker: WorkerProcess | undefined;
const hubLog: string[] = [];
const responses: { what: string; text: string }[] = [];

beforeAll(async () => {
  h = await createHarness({
    worker: false,
    logLevel: 'trace',
    logDestination: {
      write: (line: string) => {
        hubLog.push(line);
      },
    },
    syncBackoffMs: [300],
    syncDisableAfter: 1000,
  });
  [hubspot, mailchimp, sailthru, webhook] = await Promise.all([
    startHubSpotFake({ accessToken: S.hubspotRight }),
    startPrismMock(contractSpecPath('mailchimp-marketing-v3-lists.json')),
    startSailthruFake({ apiKey: S.sailthruKeyRight, apiSecret: S.sailthruSecret }),
    // Like many real APIs, the receiver quotes the credential it refused.
    startLocalReceiver((req) =>
      req.headers.authorization === `Bearer ${S.webhookTokenRight}`
        ? { status: 204 }
        : {
            status: 401,
            headers: { 'content-type': 'application/json' },
            body: JSON.stringify({ error: 'invalid_token', token: (req.headers.authorization ?? '').replace(/^Bearer /, '') }),
          },
    ),
  ]);
  // The worker as its own process at the most verbose level, with everything it prints captured.
  worker = startWorkerProcess(h, { logLevel: 'trace', captureOutput: true });
  await worker.started();
});
afterAll(async () => {
  await worker?.kill('SIGTERM');
  await h?.close();
  await Promise.all([hubspot?.close(), mailchimp?.close(), sailthru?.close(), webhook?.close()]);
});

/** An API call whose response body is kept for the search. */
async function api(method: string, path: string, body?: unknown) {
  const res = await h.call(method, path, body);
  responses.push({ what: `${method} ${path} → ${res.status}`, text: typeof res.body === 'string' ? res.body : JSON.stringify(res.body) });
  return res;
}

function leaksIn(where: string, text: string): string[] {
  return Object.entries(NEEDLES)
    .filter(([, value]) => text.includes(value))
    .map(([name]) => `${name} in ${where}`);
}

it('no API response, log line or stored message carries a connector secret; the column holds ciphertext only', async () => {
  const { program, member } = await programWithMember(h, []);
  const base = { events: ['referral.created'], programIds: [program.id], mapping: [{ target: 'email', source: 'referral.email' }] };
  const created: Record<string, string> = {};
  for (const [name, body] of Object.entries({
    hubspot: { kind: 'hubspot', settings: { baseUrl: hubspot.url }, secrets: { accessToken: S.hubspotWrong } },
    sailthru: {
      kind: 'sailthru',
      settings: { listName: 'Referrals', baseUrl: sailthru.url },
      secrets: { apiKey: S.sailthruKeyWrong, apiSecret: S.sailthruSecret },
    },
    webhook: {
      kind: 'webhook',
      settings: { url: webhook.url },
      secrets: { signingSecret: S.webhookSigning, headers: { Authorization: `Bearer ${S.webhookTokenWrong}` } },
    },
    mailchimp: { kind: 'mailchimp', settings: { listId: 'a1b2c3d4e5', baseUrl: mailchimp.url }, secrets: { apiKey: S.mailchimpKey } },
  })) {
    const res = await api('POST', '/api/v1/connectors', { name, ...base, ...body });
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    created[name] = res.body.id;
  }
  const ids = Object.values(created);

  // Failing: wrong credentials (Mailchimp: the credential refused, twice: the probe and the first push).
  mailchimp.overrideNext({ dropAuthorization: true });
  mailchimp.overrideNext({ dropAuthorization: true });
  for (const [name, id] of Object.entries(created)) {
    const probe = await api('POST', `/api/v1/connectors/${id}/test`);
    // The webhook probe only checks the address; it sends nothing a receiver would record.
    if (name !== 'webhook') expect(probe.body, name).toMatchObject({ ok: false, error: { kind: 'auth' } });
  }
  await convert(h, program.id, member.referralCode);
  await waitFor(
    async () => {
      const rows = await h.db.sql`select distinct subject_id from events where type = 'connector.failing'`;
      return rows.length === ids.length;
    },
    15_000,
    'every connector failing once',
  );
  for (const name of ['hubspot', 'sailthru', 'webhook']) {
    const res = await api('GET', `/api/v1/connectors/${created[name]}`);
    expect(res.body.statusReason, name).toMatch(/401/);
  }
  await api('GET', '/api/v1/connectors?limit=50');

  // Succeeding: the right credentials; Mailchimp recovers on its own once the credential is accepted.
  await api('PATCH', `/api/v1/connectors/${created.hubspot}`, { secrets: { accessToken: S.hubspotRight }, enabled: true });
  await api('PATCH', `/api/v1/connectors/${created.sailthru}`, { secrets: { apiKey: S.sailthruKeyRight }, enabled: true });
  await api('PATCH', `/api/v1/connectors/${created.webhook}`, {
    secrets: { headers: { Authorization: `Bearer ${S.webhookTokenRight}` } },
    enabled: true,
  });
  for (const id of ids) {
    await waitFor(
      async () =>
        (await h.call('GET', `/api/v1/connectors/${id}/deliveries`)).body.data.some((d: { status: string }) => d.status === 'succeeded'),
      15_000,
      `delivery through ${id}`,
    );
  }
  for (const id of ids) {
    expect((await api('POST', `/api/v1/connectors/${id}/test`)).body).toEqual({ ok: true });
    await api('GET', `/api/v1/connectors/${id}`);
    const deliveries = await api('GET', `/api/v1/connectors/${id}/deliveries`);
    // Each attempt, the failed ones with the provider's answer, is shown too.
    for (const d of deliveries.body.data as { id: string }[]) await api('GET', `/api/v1/deliveries/${d.id}/attempts`);
    await api('POST', `/api/v1/connectors/${id}/preview`);
  }
  await api('GET', '/api/v1/connectors?limit=50');
  expect(
    responses.every((r) => !r.what.endsWith('→ 500')),
    responses.map((r) => r.what).join('\n'),
  ).toBe(true);

  // Messages the hub stores and passes on: failure reasons in the event log, delivery errors.
  const stored = await h.db.sql<{ text: string }[]>`
    select payload::text as text from events where type like 'connector.%'
    union all select coalesce(last_error, '') from deliveries
    union all select concat_ws(' ', response_excerpt, error_message) from delivery_attempts
    union all select coalesce(status_reason, '') from connectors`;

  const leaks = [
    ...responses.flatMap((r) => leaksIn(`response of ${r.what}`, r.text)),
    ...hubLog.flatMap((line) => leaksIn('hub log', line)),
    ...leaksIn('worker output', worker?.output() ?? ''),
    ...stored.flatMap((row) => leaksIn('stored message', row.text)),
  ];
  expect(leaks).toEqual([]);
  // The captures were live: the worker's own log line and the SDK's per-activity debug lines arrived.
  // (The hub itself logs only warnings and errors, none of which this flow provokes.)
  expect(worker?.output() ?? '').toContain('"msg":"worker started"');
  expect(worker?.output() ?? '').toContain("activityType: 'syncConnectorBatch'");
  expect(responses.length).toBeGreaterThan(20);

  // At rest: AES-GCM ciphertext under the hub key, opening to exactly the current secrets.
  const box = createSecretBox(deriveSecretKey(TEST_SECRET_KEY));
  const sealed = await h.db.sql<{ id: string; secrets_sealed: string }[]>`select id, secrets_sealed from connectors where id = any(${ids})`;
  expect(sealed).toHaveLength(ids.length);
  for (const row of sealed) {
    expect(row.secrets_sealed).toMatch(/^v1:[A-Za-z0-9+/=]+:[A-Za-z0-9+/=]+:[A-Za-z0-9+/=]+$/);
    const decoded = row.secrets_sealed
      .split(':')
      .slice(1)
      .map((part) => Buffer.from(part, 'base64').toString('latin1'))
      .join('\n');
    expect([...leaksIn('sealed column', row.secrets_sealed), ...leaksIn('decoded sealed column', decoded)]).toEqual([]);
  }
  const opened = Object.fromEntries(sealed.map((row) => [row.id, box.openJson(row.secrets_sealed, row.id)]));
  expect(opened[created.hubspot!]).toEqual({ accessToken: S.hubspotRight });
  expect(opened[created.sailthru!]).toEqual({ apiKey: S.sailthruKeyRight, apiSecret: S.sailthruSecret });
  expect(opened[created.webhook!]).toEqual({
    signingSecret: S.webhookSigning,
    headers: { Authorization: `Bearer ${S.webhookTokenRight}` },
  });
  expect(opened[created.mailchimp!]).toEqual({ apiKey: S.mailchimpKey });
});
