import type { ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { Client, Connection } from '@temporalio/client';
import { mailchimpConnector } from '../connectors/mailchimp/mailchimp-connector.js';
import { MAILCHIMP_BATCH_SIZE } from '../connectors/mailchimp/upsert-mailchimp-members.js';
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
import { contractSpecPath, startPrismMock } from '../test/support/prism-mock.js';
import { createConnectorRuntime } from '../workflows/activities/connector-runtime.js';
import { createConnectorWaker } from '../workflows/dispatch/connector-waker.js';
import { buildOutboundRecords } from '../workflows/activities/outbound-records.js';
import { benchDatabase, percentile, runConcurrent, startProcess } from './bench-support.js';
import { cpuMeter, POSTGRES, TEMPORAL, type CpuSnapshot } from './process-cpu.js';

const TOTAL = Number(process.env.BENCH_SYNC_TOTAL ?? 20_000);
const LIST_ID = 'a1b2c3d4e5';
const API_KEY = `${randomBytes(16).toString('hex')}-us19`;
const ADMIN_KEY = `rh_bench_${randomBytes(16).toString('hex')}`;
const SECRET_KEY = randomBytes(32).toString('hex');
const PUBLIC_URL = 'https://refer.bench.example';
const TASK_QUEUE = 'bench-sync';
const RTT_SAMPLES = 40;
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

// CPU of each process on the measured path: they share the box's cores. `self` is this process:
// the recording proxy in front of Prism, and the client of the direct push.
const cpu = cpuMeter({
  worker: (c) => c.includes('workflows/worker/main.ts'),
  postgres: POSTGRES,
  prism: (c) => c.includes('prism') && c.includes(' mock '),
  temporal: TEMPORAL,
});

const median = (xs: number[]) =>
  percentile(
    [...xs].sort((a, b) => a - b),
    50,
  );
const fmt = (n: number, digits = 0) => n.toFixed(digits).padStart(8);

/**
 * Connector sync throughput: TOTAL member.created events pushed to the Mailchimp mock (Prism on
 * the lists spec) through the hub's own sync path — event log → connectorSync workflow in a
 * worker process → syncConnectorBatch → the mailchimp connector's destination.push, 500 per
 * batch — next to the connector's theoretical maximum measured in the same run: batch size ×
 * concurrency / round trip of one 500-member batch POST sent straight to the mock.
 */
export async function benchSync() {
  const db = await benchDatabase();
  const settings = loadTemporalSettings();
  const temporal = await startTemporalDevServer(await findTemporalCli(settings), settings, { port: 19_233 + (process.pid % 1000) });
  const mock = await startPrismMock(contractSpecPath('mailchimp-marketing-v3-lists.json'));
  const handle = createDb(db.url, { max: 16 });
  const connection = await Connection.connect({ address: temporal.address });
  const client = new Client({ connection, namespace: settings.namespace });
  const logger = createLogger('warn');
  let worker: ChildProcess | undefined;

  // When each exchange's answer reached the proxy: the batch timeline of the run.
  const answeredAt: number[] = [];
  const record = mock.exchanges.push.bind(mock.exchanges);
  const expectedBatches = Math.ceil(TOTAL / MAILCHIMP_BATCH_SIZE);
  // CPU of each party between the hub's first and last answered batch (the steady state).
  let cpuAtFirst: CpuSnapshot | undefined;
  let cpuAtLast: CpuSnapshot | undefined;
  // Only batch subscribes make the timeline: the merge-field calls before the first batch of
  // each sync pass (REFCODE, REFURL) are set-up, not throughput.
  const isBatch = (x: { method: string; path: string }) => x.method === 'POST' && x.path === `/lists/${LIST_ID}`;
  mock.exchanges.push = (...items) => {
    answeredAt.push(...items.filter(isBatch).map(() => performance.now()));
    if (answeredAt.length === 1) cpuAtFirst = cpu.snapshot();
    if (answeredAt.length === expectedBatches) cpuAtLast = cpu.snapshot();
    return record(...items);
  };

  // The connector as the worker builds it: its batch size and pacing, and the direct path below.
  const destination = mailchimpConnector.create(
    { settings: { listId: LIST_ID, baseUrl: mock.url }, secrets: { apiKey: API_KEY } },
    createConnectorRuntime({ allowPrivateTargets: true }),
  ).destination!;
  const batchSize = destination.batchSize;
  const concurrency = destination.maxInFlight ?? 1; // batches one connector keeps in flight

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
      settings: { listId: LIST_ID, baseUrl: mock.url },
      secrets: { apiKey: API_KEY },
      events: ['member.created'],
      mapping: MAPPING,
    });
    const staged = await runConcurrent(TOTAL, 16, async (i) => {
      await post('/api/v1/members', { programId: program.id, email: `member-${i}@bench.example`, firstName: `Member${i}` });
    });

    // Hub path: the worker drains the whole log; it is a separate process, like production.
    const synced = performance.now();
    worker = await startProcess(
      ['workflows/worker/main.ts'],
      {
        DATABASE_URL: db.url,
        TEMPORAL_ADDRESS: temporal.address,
        TEMPORAL_TASK_QUEUE: TASK_QUEUE,
        HUB_SECRET_KEY: SECRET_KEY,
        HUB_ALLOW_PRIVATE_TARGETS: 'true',
        HUB_PUBLIC_URL: PUBLIC_URL,
        LOG_LEVEL: 'warn',
      },
      async () => answeredAt.length > 0,
    );
    const deadline = Date.now() + 600_000;
    // Every batch answered first, without touching the database (its CPU is part of the measure),
    // then the ledger checked until it holds every delivery.
    while (answeredAt.length < expectedBatches && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    for (;;) {
      const [row] = await handle.sql<
        { n: number }[]
      >`select count(*)::int as n from deliveries where connector_id = ${connector.id} and status = 'succeeded'`;
      if (row!.n >= TOTAL) break;
      if (Date.now() > deadline) throw new Error(`only ${row!.n} of ${TOTAL} delivered`);
      await new Promise((r) => setTimeout(r, 50));
    }
    const drained = performance.now();
    const hubBatches = mock.exchanges.filter(isBatch).length;
    const hubTimes = answeredAt.slice(0, hubBatches);
    const contract = mock.exchanges.filter(
      (x) => x.status !== 200 || x.violations !== undefined || !(isBatch(x) || x.path.startsWith(`/lists/${LIST_ID}/merge-fields`)),
    );
    // Steady state: between the first and the last answer lie (batches − 1) full cycles of push + bookkeeping.
    const hubRate = ((hubBatches - 1) * batchSize) / ((hubTimes.at(-1)! - hubTimes[0]!) / 1000);
    const sample = mock.exchanges.find(isBatch);
    if (!sample) throw new Error('no batch reached the mock');
    await stop(worker, 'SIGTERM');
    worker = undefined;

    // The baseline: one recorded 500-member batch, POSTed straight to the mock by `concurrency`
    // loops at once, as the connector keeps that many in flight; the round trip is measured under
    // that same load (the mock is one process: two at once take longer each).
    const rtts: number[] = [];
    await Promise.all(
      Array.from({ length: concurrency }, async () => {
        for (let i = 0; i < RTT_SAMPLES + 3; i++) {
          const started = performance.now();
          const res = await fetch(`${mock.url}/lists/${LIST_ID}`, {
            method: 'POST',
            body: sample.requestBody,
            headers: { authorization: String(sample.requestHeaders.authorization), 'content-type': 'application/json' },
          });
          await res.arrayBuffer();
          if (res.status !== 200) throw new Error(`baseline POST answered ${res.status}`);
          if (i >= 3) rtts.push(performance.now() - started); // the first three warm the connection up
        }
      }),
    );
    const rtt = median(rtts);
    const theoretical = (batchSize * concurrency) / (rtt / 1000);

    // For locating a gap: the same records through destination.push alone, without the hub around it.
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
    const directCpu = cpu.snapshot();
    const directStarted = performance.now();
    await runConcurrent(Math.ceil(records.length / batchSize), concurrency, async (b) => {
      const results = await destination.push(records.slice(b * batchSize, (b + 1) * batchSize));
      if (!results.every((r) => r.ok)) throw new Error('direct push refused records');
    });
    const directRate = records.length / ((performance.now() - directStarted) / 1000);
    const directCpuAfter = cpu.snapshot();

    const line = (label: string, value: string, note = '') => console.log(`  ${label.padEnd(52)}${value}${note ? `   ${note}` : ''}`);
    console.log(`sync: ${TOTAL} member.created events → Mailchimp mock (Prism, lists spec), batch size ${batchSize}`);
    console.log('  measured path: hub — event log → connectorSync workflow (worker process) → mailchimp destination.push');
    line('members staged through the API', `${fmt(staged.seconds, 1)} s`);
    line('worker start → last delivery recorded', `${fmt((drained - synced) / 1000, 1)} s`);
    line('batches the hub sent (POST /lists/{id})', fmt(hubBatches), `${contract.length} off-contract (not 200, or with sl-violations)`);
    line(
      `mock round trip, ${batchSize}-member batch POST, ${concurrency} in flight`,
      `${fmt(rtt, 1)} ms`,
      `median of ${rtts.length}, p90 ${percentile(
        [...rtts].sort((a, b) => a - b),
        90,
      ).toFixed(1)} ms`,
    );
    line(`theoretical max = ${batchSize} × ${concurrency} (concurrency) / round trip`, `${fmt(theoretical)} records/s`);
    line('hub sync, steady state', `${fmt(hubRate)} records/s`, `over ${hubBatches - 1} batch intervals`);
    line('ratio hub / theoretical max', `${fmt(hubRate / theoretical, 2)}`, 'target ≥ 0.90');
    line(
      `direct destination.push, ${concurrency} in flight, no hub`,
      `${fmt(directRate)} records/s`,
      `ratio ${(directRate / theoretical).toFixed(2)} of theoretical`,
    );
    // Where the CPU went: on shared cores every party's time is the others' wait.
    line('CPU ms per 1,000 records, hub steady state', cpu.perOperation(cpuAtFirst, cpuAtLast, ((hubBatches - 1) * batchSize) / 1000));
    line('CPU ms per 1,000 records, direct push', cpu.perOperation(directCpu, directCpuAfter, records.length / 1000));
    return { rtt, theoretical, hubRate, directRate, ratio: hubRate / theoretical };
  } finally {
    if (worker) await stop(worker, 'SIGKILL');
    await connection.close();
    await handle.close();
    await mock.close();
    await temporal.stop();
    await db.drop();
  }
}
