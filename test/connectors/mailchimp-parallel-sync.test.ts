import http from 'node:http';
import { afterAll, beforeAll, beforeEach, expect, it } from 'vitest';
import { createHarness, waitFor, type Harness } from '../support/hub-harness.js';
import { mailchimpLimits } from '../support/mailchimp-limits.js';
import { contractSpecPath, startPrismMock, type PrismExchange, type PrismMock } from '../support/prism-mock.js';

const API_KEY = '0123456789abcdef0123456789abcdef-us19';
const LIST_ID = 'a1b2c3d4e5';
const BATCH_PATH = `/lists/${LIST_ID}`;
// Four batches of 500: all four are in flight at once under concurrency 10.
const MEMBERS = 2000;
// Mailchimp's time per batch and, for the other integration on the key, per /ping it holds open.
const BATCH_ROUND_TRIP_MS = 300;
const OUTSIDE_HOLD_MS = 4000;

let h: Harness;
let mock: PrismMock;
beforeAll(async () => {
  h = await createHarness({ syncBackoffMs: [500] });
  mock = await startPrismMock(
    contractSpecPath('mailchimp-marketing-v3-lists.json'),
    mailchimpLimits((method, path) =>
      path === '/ping' ? OUTSIDE_HOLD_MS : method === 'POST' && path === BATCH_PATH ? BATCH_ROUND_TRIP_MS : 0,
    ),
  );
});
afterAll(async () => {
  await h?.close();
  await mock?.close();
});
beforeEach(() => {
  mock.exchanges.length = 0;
  mock.limits.refused = 0;
  mock.limits.peakInFlight = 0;
});

async function post(path: string, body: unknown) {
  const res = await h.call('POST', path, body);
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  return res.body;
}

/**
 * A Mailchimp connector (concurrency: the kind's default, 10) whose program already has MEMBERS
 * members when it is switched on, so its first sync has every batch to send at once.
 */
async function connectorWithBacklog(slug: string) {
  const program = await post('/api/v1/programs', { name: slug, slug, landingUrl: 'https://acme.example', rewardRules: [] });
  const connector = await post('/api/v1/connectors', {
    kind: 'mailchimp',
    name: slug,
    enabled: false,
    settings: { listId: LIST_ID, baseUrl: mock.url },
    secrets: { apiKey: API_KEY },
    events: ['member.created'],
    programIds: [program.id],
    mapping: [
      { target: 'email', source: 'member.email' },
      { target: 'FNAME', source: 'member.firstName' },
    ],
  });
  let next = 0;
  await Promise.all(
    Array.from({ length: 8 }, async () => {
      while (next < MEMBERS) {
        const i = next++;
        await post('/api/v1/members', { programId: program.id, email: `${slug}-${i}@example.com`, firstName: `M${i}` });
      }
    }),
  );
  // Readers of the event log stop below the oldest transaction still writing (a dispatcher busy
  // with these members, say). Wait until every member's event is readable, so the first sync
  // really has all four batches to send side by side.
  await waitFor(
    async () => {
      const [row] = await h.db.sql<{ readable: boolean }[]>`
        select coalesce(max(txid) < pg_snapshot_xmin(pg_current_snapshot()), true) as readable from events where program_id = ${program.id}`;
      return row!.readable || undefined;
    },
    30_000,
    "every member's event readable",
  );
  const enable = async () => {
    const res = await h.call('PATCH', `/api/v1/connectors/${connector.id}`, { enabled: true });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
  };
  return { connector, enable };
}

const batchesOf = (exchanges: PrismExchange[]) => exchanges.filter((x) => x.method === 'POST' && x.path === BATCH_PATH);
const emailsOf = (x: PrismExchange) =>
  (JSON.parse(x.requestBody) as { members: { email_address: string }[] }).members.map((m) => m.email_address);

/** How many 200-answered batches carried each address. */
function deliveredCounts(exchanges: PrismExchange[]) {
  const counts = new Map<string, number>();
  for (const x of batchesOf(exchanges).filter((b) => b.status === 200))
    for (const email of emailsOf(x)) counts.set(email, (counts.get(email) ?? 0) + 1);
  return counts;
}

async function ledgerOf(connectorId: string) {
  return waitFor(
    async () => {
      const [row] = await h.db.sql<{ succeeded: number; other: number; attempts: number }[]>`
        select count(*) filter (where status = 'succeeded')::int as succeeded, count(*) filter (where status <> 'succeeded')::int as other,
          coalesce(sum(attempts), 0)::int as attempts
        from deliveries where connector_id = ${connectorId}`;
      return row!.succeeded === MEMBERS ? row : undefined;
    },
    60_000,
    'every delivery succeeded',
  );
}

it('retries the batch Mailchimp refuses as the 11th simultaneous connection, and loses nothing', async () => {
  const { connector, enable } = await connectorWithBacklog('limit');
  // Another integration on the same key holds 8 of the 10 connections: the hub's third batch in flight is the 11th.
  const outside = Array.from(
    { length: 8 },
    () =>
      new Promise<void>((resolve, reject) => {
        http
          .get(`${mock.url}/ping`, { headers: { authorization: `Basic ${Buffer.from(`user:${API_KEY}`).toString('base64')}` } }, (res) =>
            res.resume().on('end', resolve),
          )
          .on('error', reject);
      }),
  );
  await waitFor(async () => mock.limits.inFlight === 8, 5000, 'the outside integration holding 8 connections');
  await enable();

  const ledger = await ledgerOf(connector.id);
  await Promise.all(outside);
  const refused = mock.exchanges.filter((x) => x.status === 429);
  expect(refused.length).toBeGreaterThanOrEqual(1);
  expect(refused.every((x) => x.method === 'POST' && x.path === BATCH_PATH)).toBe(true);
  expect(mock.limits.refused).toBe(refused.length);

  // Every member reached Mailchimp in exactly one accepted batch.
  const counts = deliveredCounts(mock.exchanges);
  expect(counts.size).toBe(MEMBERS);
  expect([...counts.values()].every((n) => n === 1)).toBe(true);
  // The ledger holds one delivery per event, and a second attempt only for the refused batches' records.
  // (A batch is usually 500, but one cut by a page of the event log can be shorter.)
  const refusedRecords = refused.reduce((n, x) => n + emailsOf(x).length, 0);
  expect(refusedRecords).toBeGreaterThanOrEqual(1);
  expect(ledger).toEqual({ succeeded: MEMBERS, other: 0, attempts: MEMBERS + refusedRecords });
  const [limited] = await h.db.sql<{ n: number }[]>`
    select count(*)::int as n from delivery_attempts
    where connector_id = ${connector.id} and http_status = 429 and error_kind = 'rate_limited'`;
  expect(limited!.n).toBe(refusedRecords);
}, 120_000);

it('sends a batch delivered beside a failed one only once: the retry carries just the failed batch', async () => {
  const { connector, enable } = await connectorWithBacklog('beside');
  // The first batch fails (503) while the three after it, already in flight, are delivered.
  mock.overrideNext({ prefer: 'code=503', when: (request) => request.body.includes('"beside-0@example.com"') });
  await enable();

  const ledger = await ledgerOf(connector.id);
  const failed = batchesOf(mock.exchanges).filter((x) => x.status === 503);
  expect(failed).toHaveLength(1);
  // Usually 500; a batch cut by a page of the event log can be shorter.
  const failedBatch = new Set(emailsOf(failed[0]!));
  expect(failedBatch.has('beside-0@example.com')).toBe(true);
  expect(failedBatch.size).toBeLessThanOrEqual(500);

  const batches = batchesOf(mock.exchanges);
  const failedAt = batches.indexOf(failed[0]!);
  // The retry carries the failed batch's records again, and nothing already accepted.
  const retry = batches.find((x, i) => i > failedAt && x.status === 200 && emailsOf(x).includes('beside-0@example.com'));
  expect(retry).toBeDefined();
  // Batches in flight beside the failed one were delivered before the retry went out.
  expect(batches.slice(failedAt + 1, batches.indexOf(retry!)).filter((x) => x.status === 200).length).toBeGreaterThanOrEqual(1);
  const acceptedBefore = new Set(
    batches
      .slice(0, batches.indexOf(retry!))
      .filter((x) => x.status === 200)
      .flatMap(emailsOf),
  );
  expect(emailsOf(retry!).filter((e) => acceptedBefore.has(e))).toEqual([]);
  expect([...failedBatch].every((e) => emailsOf(retry!).includes(e))).toBe(true);

  // Every member accepted exactly once: nothing delivered went out twice.
  const counts = deliveredCounts(mock.exchanges);
  expect(counts.size).toBe(MEMBERS);
  expect([...counts.values()].every((n) => n === 1)).toBe(true);
  expect(batches.filter((x) => x.status !== 200)).toEqual([failed[0]]);
  expect(ledger).toEqual({ succeeded: MEMBERS, other: 0, attempts: MEMBERS + failedBatch.size });
}, 120_000);
