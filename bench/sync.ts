import type { ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import http from 'node:http';
import { join } from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { mailchimpConnector, mailchimpSettingsSchema } from '../connectors/mailchimp/mailchimp-connector.js';
import { toMailchimpMember } from '../connectors/mailchimp/to-mailchimp-member.js';
import type { MappingEntry } from '../connectors/mapping/mapping-entry-schema.js';
import { createSecretBox } from '../connectors/security/secret-box.js';
import { createApp } from '../hub/create-app.js';
import { findTemporalCli } from '../lib/find-temporal-cli.js';
import { createLogger } from '../lib/logger.js';
import { deriveSecretKey } from '../lib/secret-key.js';
import { derivePurposeKey } from '../lib/purpose-key.js';
import { UNSUBSCRIBE_KEY_PURPOSE } from '../lib/unsubscribe-token.js';
import { startTemporalDevServer } from '../lib/start-temporal-dev-server.js';
import { loadTemporalSettings } from '../lib/temporal-settings.js';
import { temporalReady } from '../lib/temporal-ready.js';
import { createDb } from '../schema/db.js';
import { loadEventsById } from '../schema/read-events.js';
import { mailchimpLimits, MAILCHIMP_SIMULTANEOUS_CONNECTIONS } from '../test/support/mailchimp-limits.js';
import { contractSpecPath, startPrismMock, type PrismExchange } from '../test/support/prism-mock.js';
import { createConnectorRuntime } from '../workflows/activities/connector-runtime.js';
import { createConnectorWaker } from '../workflows/dispatch/connector-waker.js';
import { buildOutboundRecords } from '../workflows/activities/outbound-records.js';
import { benchDatabase, percentile, ROOT, runConcurrent, startProcess } from './bench-support.js';
import { stageMembers } from './stage-members.js';
import { cpuMeter, POSTGRES, TEMPORAL, type CpuSnapshot } from './process-cpu.js';

const TOTAL = Number(process.env.BENCH_SYNC_TOTAL ?? 100_000);
// Mailchimp's round trip for one 500-member batch subscribe, added by the proxy in front of the mock.
const ROUND_TRIP_MS = Number(process.env.BENCH_SYNC_ROUND_TRIP_MS ?? 300);
const LIST_ID = 'a1b2c3d4e5';
const API_KEY = `${randomBytes(16).toString('hex')}-us19`;
const ADMIN_KEY = `rh_bench_${randomBytes(16).toString('hex')}`;
const SECRET_KEY = randomBytes(32).toString('hex');
const PUBLIC_URL = 'https://refer.bench.example';
const TASK_QUEUE = 'bench-sync';
const MAPPING: MappingEntry[] = [
  { target: 'email', source: 'member.email' },
  { target: 'FNAME', source: 'member.firstName' },
  { target: 'REFCODE', source: 'member.referralCode' },
  { target: 'REFURL', source: 'member.referralUrl' },
];

async function stop(child: ChildProcess, signal: NodeJS.Signals) {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill(signal);
  await exited;
}

const WORKER_SCRIPT = join(ROOT, 'workflows/worker/main.ts');
const fmt = (n: number, digits = 0) => n.toFixed(digits).padStart(8);
const isBatch = (x: { method: string; path: string }) => x.method === 'POST' && x.path === `/lists/${LIST_ID}`;

/** One measured phase: the batch answers it got, when, and the CPU at its first and last answer. */
interface Phase {
  label: string;
  answers: { at: number; status: number; started?: number }[];
  expected: number;
  cpuAtFirst?: CpuSnapshot;
  cpuAtLast?: CpuSnapshot;
  refused: number;
  peakInFlight: number;
}

/** Records per second between a phase's first and last 200 answer: (batches − 1) full cycles. */
function steadyRate(phase: Phase, batchSize: number): number {
  const ok = phase.answers.filter((a) => a.status === 200).map((a) => a.at);
  return ((ok.length - 1) * batchSize) / ((ok.at(-1)! - ok[0]!) / 1000);
}

/**
 * Connector sync throughput against Mailchimp's real constraints: TOTAL member.created events
 * pushed to the Mailchimp stand-in (Prism on the lists spec) through a proxy that makes each
 * 500-member batch take ROUND_TRIP_MS and answers Mailchimp's 429 to an 11th simultaneous
 * request. The hub's own path — event log → connectorSync workflow in a worker process →
 * syncConnectorBatch → the mailchimp destination, `concurrency` (10) batches in flight — next to,
 * in the same run: the theoretical maximum 500 × 10 / round trip, and a plain HTTP client posting
 * the same batch bodies 10 at a time through the same proxy, once before and once after the hub.
 */
export async function benchSync() {
  const db = await benchDatabase();
  const settings = loadTemporalSettings();
  const temporalPort = 19_233 + (process.pid % 1000);
  const temporal = await startTemporalDevServer(await findTemporalCli(settings), settings, { port: temporalPort });
  // CPU of each process on the measured path: they share the box's cores. `self` is this process:
  // the limiting proxy in front of Prism, and the direct clients. Only this run's processes count
  // (other runs share the box): the worker and Prism by their paths in this checkout, PostgreSQL's
  // backends by this run's database, the Temporal dev server by its port.
  const dbName = new URL(db.url).pathname.slice(1);
  const cpu = cpuMeter({
    worker: (c) => c.includes(WORKER_SCRIPT),
    postgres: (c) => POSTGRES(c) && c.includes(dbName),
    prism: (c) => c.includes('prism') && c.includes(' mock ') && c.includes(ROOT),
    temporal: (c) => TEMPORAL(c) && c.includes(`--port ${temporalPort} `),
  });
  const mock = await startPrismMock(
    contractSpecPath('mailchimp-marketing-v3-lists.json'),
    mailchimpLimits((method, path) => (isBatch({ method, path }) ? ROUND_TRIP_MS : 0)),
  );
  const handle = createDb(db.url, { max: 16 });
  const connection = await Connection.connect({ address: temporal.address });
  const client = new Client({ connection, namespace: settings.namespace });
  const logger = createLogger('warn');
  let worker: ChildProcess | undefined;

  // Every batch answer (and 429) joins the phase being measured, with the CPU at its first and last answer.
  let phase: Phase | undefined;
  const record = mock.exchanges.push.bind(mock.exchanges);
  mock.exchanges.push = (...items: PrismExchange[]) => {
    for (const x of items.filter(isBatch)) {
      if (!phase) continue;
      phase.answers.push({ at: performance.now(), status: x.status });
      const ok = phase.answers.filter((a) => a.status === 200).length;
      if (x.status === 200 && ok === 1) phase.cpuAtFirst = cpu.snapshot();
      if (x.status === 200 && ok === phase.expected) phase.cpuAtLast = cpu.snapshot();
    }
    return record(...items);
  };
  const startPhase = (label: string, expected: number): Phase => {
    mock.limits.peakInFlight = 0;
    mock.limits.refused = 0;
    phase = { label, answers: [], expected, refused: 0, peakInFlight: 0 };
    return phase;
  };
  const endPhase = (p: Phase) => {
    p.refused = mock.limits.refused;
    p.peakInFlight = mock.limits.peakInFlight;
    phase = undefined;
  };

  const connectorSettings = mailchimpSettingsSchema.parse({ listId: LIST_ID, baseUrl: mock.url });
  const concurrency = connectorSettings.concurrency;
  // The connector as the worker builds it, for its batch size and for the connector-alone run.
  const destination = mailchimpConnector.create(
    { settings: connectorSettings, secrets: { apiKey: API_KEY } },
    createConnectorRuntime({ allowPrivateTargets: true }),
  ).destination!;
  const batchSize = destination.batchSize;
  const batches = Math.ceil(TOTAL / batchSize);

  try {
    // The hub's API in this process (no dispatcher: the worker starts only once the log is full).
    const app = createApp({
      db: handle.db,
      sql: handle.sql,
      logger,
      publicUrl: PUBLIC_URL,
      bootstrapApiKey: ADMIN_KEY,
      consoleSecret: 'bench-console-secret',
      connectorWaker: createConnectorWaker({ db: handle.db, client, taskQueue: TASK_QUEUE, logger, backoffMs: [1000], disableAfter: 12 }),
      secretBox: createSecretBox(deriveSecretKey(SECRET_KEY)),
      unsubscribeKey: derivePurposeKey(SECRET_KEY, UNSUBSCRIBE_KEY_PURPOSE),
      allowPrivateTargets: true,
      bodyLimitBytes: 1_048_576,
      ipHashSalt: 'bench',
      pageSecret: 'bench-page-secret',
      temporalReady: () => temporalReady(connection),
    });
    const post = async (path: string, body: unknown) => {
      const res = await app.request(path, {
        method: 'POST',
        headers: { authorization: `Bearer ${ADMIN_KEY}`, 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });
      const text = await res.text();
      if (res.status >= 300) throw new Error(`${path} → ${res.status} ${text}`);
      return JSON.parse(text);
    };

    const program = await post('/api/v1/programs', { name: 'Bench', slug: 'bench', landingUrl: 'https://bench.example', rewardRules: [] });
    const connector = await post('/api/v1/connectors', {
      kind: 'mailchimp',
      name: 'Mailchimp',
      settings: { listId: LIST_ID, baseUrl: mock.url }, // concurrency: the kind's default, Mailchimp's 10
      secrets: { apiKey: API_KEY },
      events: ['member.created'],
      mapping: MAPPING,
    });
    // One member through the API, so the path it takes is exercised; the rest written in bulk the same way.
    await post('/api/v1/members', { programId: program.id, email: 'first@bench.example', firstName: 'First' });
    const staged = await stageMembers(handle.db, PUBLIC_URL, program.id, TOTAL - 1);

    // The direct client's batches: the same members, as the connector's batch subscribe body.
    const ids = await handle.sql<{ id: string }[]>`select id from events where type = 'member.created' order by seq`;
    const records = await buildOutboundRecords(
      handle.db,
      PUBLIC_URL,
      await loadEventsById(
        handle.sql,
        ids.map((r) => r.id),
      ),
      MAPPING,
    );
    const bodies: string[] = [];
    for (let i = 0; i < records.length; i += batchSize) {
      const members = records.slice(i, i + batchSize).map((r) => {
        const mapped = toMailchimpMember(r.data);
        if (!mapped.ok) throw new Error(mapped.message);
        return { email_address: mapped.member.email_address, status: 'subscribed', merge_fields: mapped.member.merge_fields };
      });
      bodies.push(JSON.stringify({ members, update_existing: true }));
    }
    const authorization = `Basic ${Buffer.from(`user:${API_KEY}`).toString('base64')}`;
    const agent = new http.Agent({ keepAlive: true, maxSockets: concurrency });
    // A plain HTTP client: each of `concurrency` loops posts its next body as soon as its last is answered.
    const directClient = async (label: string) => {
      const p = startPhase(label, bodies.length);
      let next = 0;
      await Promise.all(
        Array.from({ length: concurrency }, async () => {
          while (next < bodies.length) {
            const body = bodies[next++]!;
            const status = await new Promise<number>((resolve, reject) => {
              const req = http.request(
                `${mock.url}/lists/${LIST_ID}`,
                { method: 'POST', agent, headers: { authorization, 'content-type': 'application/json' } },
                (res) => res.resume().on('end', () => resolve(res.statusCode ?? 0)),
              );
              req.on('error', reject);
              req.end(body);
            });
            if (status !== 200) throw new Error(`direct client: batch answered ${status}`);
          }
        }),
      );
      endPhase(p);
      return p;
    };

    const directBefore = await directClient('direct client, before the hub');

    // Hub path: the worker drains the whole log; it is a separate process, like production.
    const hubFrom = mock.exchanges.length;
    const hubPhase = startPhase('hub', batches);
    const synced = performance.now();
    worker = await startProcess(
      [WORKER_SCRIPT],
      {
        DATABASE_URL: db.url,
        TEMPORAL_ADDRESS: temporal.address,
        TEMPORAL_TASK_QUEUE: TASK_QUEUE,
        HUB_SECRET_KEY: SECRET_KEY,
        HUB_ALLOW_PRIVATE_TARGETS: 'true',
        HUB_PUBLIC_URL: PUBLIC_URL,
        LOG_LEVEL: 'warn',
      },
      async () => hubPhase.answers.length > 0,
    );
    const deadline = Date.now() + 600_000;
    // Every batch answered first, without touching the database (its CPU is part of the measure),
    // then the ledger checked until it holds every delivery.
    const hubOk = () => hubPhase.answers.filter((a) => a.status === 200).length;
    while (hubOk() < batches && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    for (;;) {
      const [row] = await handle.sql<
        { n: number }[]
      >`select count(*)::int as n from deliveries where connector_id = ${connector.id} and status = 'succeeded'`;
      if (row!.n >= TOTAL) break;
      if (Date.now() > deadline) throw new Error(`only ${row!.n} of ${TOTAL} delivered`);
      await new Promise((r) => setTimeout(r, 50));
    }
    const drained = performance.now();
    endPhase(hubPhase);
    await stop(worker, 'SIGTERM');
    worker = undefined;

    // Exactly once: every member in exactly one answered batch, and one attempt per delivery.
    const hubExchanges = mock.exchanges.slice(hubFrom);
    const hubBodies = hubExchanges.filter((x) => isBatch(x) && x.status === 200);
    const sent = new Map<string, number>();
    for (const x of hubBodies) {
      for (const m of (JSON.parse(x.requestBody) as { members: { email_address: string }[] }).members)
        sent.set(m.email_address, (sent.get(m.email_address) ?? 0) + 1);
    }
    const twice = [...sent.values()].filter((n) => n > 1).length;
    const [ledger] = await handle.sql<{ deliveries: number; succeeded: number; attempts: number }[]>`
      select count(*)::int as deliveries, count(*) filter (where status = 'succeeded')::int as succeeded,
        coalesce(sum(attempts), 0)::int as attempts from deliveries where connector_id = ${connector.id}`;
    const offContract = hubExchanges.filter(
      (x) => x.status !== 200 || x.violations !== undefined || !(isBatch(x) || x.path.startsWith(`/lists/${LIST_ID}/merge-fields`)),
    );

    const directAfter = await directClient('direct client, after the hub');

    // For locating a gap: the same records through destination.push alone (official SDK), no hub around it.
    const alone = startPhase('connector alone', batches);
    await runConcurrent(batches, concurrency, async (b) => {
      const results = await destination.push(records.slice(b * batchSize, (b + 1) * batchSize));
      if (!results.every((r) => r.ok)) throw new Error('connector alone: records refused');
    });
    endPhase(alone);

    const theoretical = (batchSize * concurrency) / (ROUND_TRIP_MS / 1000);
    const direct = [directBefore, directAfter].map((p) => steadyRate(p, batchSize));
    const directMean = (direct[0]! + direct[1]!) / 2;
    const hubRate = steadyRate(hubPhase, batchSize);
    const aloneRate = steadyRate(alone, batchSize);

    const line = (label: string, value: string, note = '') => console.log(`  ${label.padEnd(58)}${value}${note ? `   ${note}` : ''}`);
    console.log(
      `sync: ${TOTAL} member.created events → Mailchimp stand-in (Prism, lists spec) behind a proxy with Mailchimp's limits: ` +
        `${ROUND_TRIP_MS} ms per ${batchSize}-member batch, 429 for the ${MAILCHIMP_SIMULTANEOUS_CONNECTIONS + 1}th simultaneous request`,
    );
    console.log(
      `  measured path: hub — event log → connectorSync workflow (worker process) → mailchimp destination, concurrency ${concurrency}`,
    );
    line('members staged (1 through the API, the rest in bulk)', `${fmt(staged.seconds, 1)} s`);
    line('worker start → last delivery recorded', `${fmt((drained - synced) / 1000, 1)} s`);
    line(`theoretical = ${batchSize} × ${concurrency} / ${ROUND_TRIP_MS} ms`, `${fmt(theoretical)} records/s`, 'baseline 1');
    line(
      `direct HTTP client, ${concurrency} in flight (before / after hub)`,
      `${fmt(directMean)} records/s`,
      `baseline 2: ${direct.map((d) => d.toFixed(0)).join(' / ')}; ratio ${(directMean / theoretical).toFixed(3)} of theoretical`,
    );
    line('hub sync, steady state (first → last batch answer)', `${fmt(hubRate)} records/s`, `over ${hubOk() - 1} batch intervals`);
    line('ratio hub / theoretical', `${fmt(hubRate / theoretical, 3)}`, 'target ≥ 0.90');
    line('ratio hub / direct client', `${fmt(hubRate / directMean, 3)}`);
    line('connector alone (destination.push, no hub), for locating a gap', `${fmt(aloneRate)} records/s`);
    for (const p of [directBefore, hubPhase, directAfter, alone])
      line(`${p.label}: 429s (11th connection) / peak in flight`, `${fmt(p.refused)}`, `peak ${p.peakInFlight}`);
    line('hub batches answered 200 / expected', `${fmt(hubOk())}`, `of ${batches}; ${offContract.length} off-contract exchanges`);
    line(
      'exactly once: members sent by the hub / sent twice',
      `${fmt(sent.size)}`,
      `${twice} twice; ledger ${ledger!.succeeded}/${ledger!.deliveries} succeeded, ${ledger!.attempts} attempts`,
    );
    // Where the CPU went: on shared cores every party's time is the others' wait.
    for (const p of [directBefore, hubPhase, directAfter, alone]) {
      const n = ((p.answers.filter((a) => a.status === 200).length - 1) * batchSize) / 1000;
      line(`CPU ms per 1,000 records, ${p.label}`, cpu.perOperation(p.cpuAtFirst, p.cpuAtLast, n));
      line(`  cores busy, ${p.label}`, cpu.coresBusy(p.cpuAtFirst, p.cpuAtLast));
    }
    const sortedGaps = hubPhase.answers
      .map((a) => a.at)
      .sort((a, b) => a - b)
      .map((t, i, all) => (i === 0 ? 0 : t - all[i - 1]!))
      .slice(1)
      .sort((a, b) => a - b);
    line(
      'hub: gap between batch answers p50 / p99',
      `${fmt(percentile(sortedGaps, 50), 1)} ms`,
      `p99 ${percentile(sortedGaps, 99).toFixed(1)} ms`,
    );
    return { theoretical, direct: directMean, hubRate, ratio: hubRate / theoretical };
  } finally {
    if (worker) await stop(worker, 'SIGKILL');
    await connection.close();
    await handle.close();
    await mock.close();
    await temporal.stop();
    await db.drop();
  }
}
