import { randomBytes } from 'node:crypto';
import { Webhook } from 'standardwebhooks';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { startLocalReceiver, type LocalReceiver } from '../support/start-local-receiver.js';
import { startHubSpotFake, type HubSpotFake } from '../support/hubspot-fake.js';
import { createHarness, waitFor, type Harness } from '../support/hub-harness.js';
import { startWorkerProcess, type WorkerProcess } from '../support/worker-process.js';

const SIGNING_SECRET = `whsec_${randomBytes(32).toString('base64')}`;
const HUBSPOT_TOKEN = 'pat-na1-crash-0123456789';
const UPSERT_PATH = '/crm/v3/objects/contacts/batch/upsert';
const TOTAL = 2000;
// The loopback receiver takes bursts; at the default 10 requests/s, 2,000 events would need 200 s.
const WEBHOOK_REQUESTS_PER_SECOND = 200;

let h: Harness;
let receiver: LocalReceiver;
let hubspot: HubSpotFake;
const workers: WorkerProcess[] = [];

/** `npm run worker` as its own process, so it can really be SIGKILLed; resolves once it polls. */
async function startWorker(): Promise<WorkerProcess> {
  const worker = startWorkerProcess(h, { captureOutput: true });
  workers.push(worker);
  await worker.started();
  return worker;
}

beforeAll(async () => {
  h = await createHarness({ worker: false });
  receiver = await startLocalReceiver();
  hubspot = await startHubSpotFake({ accessToken: HUBSPOT_TOKEN, properties: ['referral_code'] });
});
afterAll(async () => {
  for (const worker of workers) await worker.kill();
  await h?.close();
  await receiver?.close();
  await hubspot?.close();
});

async function post(path: string, body: unknown) {
  const res = await h.call('POST', path, body);
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  return res.body;
}

/** Runs `task` for 0 … n-1 with `concurrency` in flight; `done()` tells how many finished. */
function pool(n: number, concurrency: number, task: (i: number) => Promise<unknown>) {
  let next = 0;
  let finished = 0;
  const all = Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < n) {
        await task(next++);
        finished++;
      }
    }),
  );
  return { all, done: () => finished };
}

const upsertInputs = () =>
  hubspot.requests
    .filter((r) => r.path === UPSERT_PATH)
    .flatMap((r) => (JSON.parse(r.body) as { inputs: { idProperty: string; id: string; properties: Record<string, string> }[] }).inputs);

it('a worker SIGKILLed during a 2,000-event sync loses nothing, and every repeat reuses its webhook-id / upsert key', async () => {
  // No reward rules: the worker's work is the two syncs.
  const program = await post('/api/v1/programs', {
    name: 'Crash',
    slug: 'crash',
    landingUrl: 'https://acme.example/welcome',
    rewardRules: [],
  });
  const hubspotConnector = await post('/api/v1/connectors', {
    kind: 'hubspot',
    name: 'HubSpot',
    settings: { baseUrl: hubspot.url },
    secrets: { accessToken: HUBSPOT_TOKEN },
    events: ['member.created'],
    mapping: [
      { target: 'email', source: 'member.email' },
      { target: 'firstname', source: 'member.firstName' },
      { target: 'referral_code', source: 'member.referralCode' },
    ],
  });
  const webhookConnector = await post('/api/v1/connectors', {
    kind: 'webhook',
    name: 'Webhook',
    settings: { url: receiver.url, requestsPerSecond: WEBHOOK_REQUESTS_PER_SECOND },
    secrets: { signingSecret: SIGNING_SECRET },
    events: ['member.created'],
  });

  const first = await startWorker();
  // Events keep arriving while the worker syncs and after it dies.
  const inserting = pool(TOTAL, 8, (i) =>
    post('/api/v1/members', {
      programId: program.id,
      email: `member-${i}@crash.example`,
      firstName: `M${i}`,
    }),
  );
  // Killed half-way through the inserts, so both syncs have delivered some events and owe the rest.
  await waitFor(
    async () => inserting.done() >= TOTAL / 2 && receiver.requests.length > 0 && hubspot.contacts.size > 0,
    60_000,
    'sync under way',
  );
  await first.kill();
  const atKill = { webhook: receiver.requests.length, hubspot: hubspot.contacts.size };
  expect(atKill.webhook).toBeLessThan(TOTAL);
  expect(atKill.hubspot).toBeLessThan(TOTAL);
  await inserting.all;

  await startWorker();
  const webhookIds = () => new Set(receiver.requests.map((r) => r.headers['webhook-id']));
  await waitFor(
    async () => {
      const progress = { webhook: webhookIds().size, hubspot: hubspot.contacts.size };
      // Thrown, not returned: a timeout then reports how far each receiver got.
      if (progress.webhook < TOTAL || progress.hubspot < TOTAL) throw new Error(`reached ${JSON.stringify(progress)} of ${TOTAL}`);
      return true;
    },
    75_000,
    'every event at both receivers after restart',
  );

  const events = await h.db.sql<{ id: string; subject_id: string; email: string; code: string }[]>`
    select id, subject_id, payload->>'email' as email, payload->>'referralCode' as code from events where type = 'member.created'`;
  expect(events).toHaveLength(TOTAL);
  const eventOfMember = new Map(events.map((e) => [e.subject_id, e.id]));

  // Webhook: each member's event arrived, signed; every request about a member carries that event's id.
  const verifier = new Webhook(SIGNING_SECRET);
  const idsOfMember = new Map<string, Set<string>>();
  for (const req of receiver.requests) {
    const message = verifier.verify(req.body, req.headers) as { id: string; type: string; data: { id: string } };
    expect(message.id).toBe(req.headers['webhook-id']);
    idsOfMember.set(message.data.id, (idsOfMember.get(message.data.id) ?? new Set()).add(message.id));
  }
  expect(idsOfMember.size).toBe(TOTAL);
  for (const [memberId, ids] of idsOfMember) expect([...ids]).toEqual([eventOfMember.get(memberId)]);

  // HubSpot: every input is keyed by its member's email, so a repeat is an upsert of the same contact.
  const emailOfCode = new Map(events.map((e) => [e.code, e.email]));
  for (const input of upsertInputs()) {
    expect(input.idProperty).toBe('email');
    expect(input.id).toBe(emailOfCode.get(input.properties.referral_code!));
  }
  expect([...hubspot.contacts.keys()].sort()).toEqual(events.map((e) => e.email.toLowerCase()).sort());

  // The ledger: one succeeded delivery per event and connector, nothing dead or missing. The last
  // rows are written just after the receivers answered, so wait for the count first.
  const readLedger = () => h.db.sql<{ connector_id: string; ok: number; other: number }[]>`
    select connector_id, count(*) filter (where status = 'succeeded')::int as ok, count(*) filter (where status <> 'succeeded')::int as other
    from deliveries group by connector_id`;
  const ledger = await waitFor(
    async () => {
      const rows = await readLedger();
      return rows.reduce((n, r) => n + r.ok + r.other, 0) >= 2 * TOTAL ? rows : undefined;
    },
    10_000,
    'the ledger',
  );
  const expected = [
    { connector_id: hubspotConnector.id, ok: TOTAL, other: 0 },
    { connector_id: webhookConnector.id, ok: TOTAL, other: 0 },
  ];
  const byId = (a: { connector_id: string }, b: { connector_id: string }) => a.connector_id.localeCompare(b.connector_id);
  expect([...ledger].sort(byId)).toEqual(expected.sort(byId));
}, 150_000);
