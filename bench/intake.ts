import type { ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { Connection } from '@temporalio/client';
import postgres from 'postgres';
import { Agent, request } from 'undici';
import { findTemporalCli } from '../lib/find-temporal-cli.js';
import { startTemporalDevServer } from '../lib/start-temporal-dev-server.js';
import { loadTemporalSettings } from '../lib/temporal-settings.js';
import { lifecycleBacklog } from '../workflows/dispatch/lifecycle-dispatcher.js';
import { benchDatabase, percentile, startProcess } from './bench-support.js';
import { childOf, cpuMeter, POSTGRES, TEMPORAL, type CpuSnapshot } from './process-cpu.js';

/**
 * Conversion intake: `POST /api/v1/conversions` on the hub (auth with a program-limited track
 * key, schema validation, program and referrer look-up, the referral and its event-log row in
 * one transaction, 201 after commit) next to a minimal Hono + postgres.js server that does ONE
 * INSERT of the same referral row (bench/intake-baseline-server.ts). Both run as their own
 * process with the same pool size, hit by the same undici client with the same connection count,
 * in alternating rounds so drift on a shared machine hits both alike.
 *
 * Two runs, each with a fresh database:
 * - `paused`: the hub runs with HUB_DISPATCH=off, so it only accepts facts (the figure the
 *   target is about: the edge alone, Temporal's work not counted);
 * - `dispatching`: Temporal dev server, a worker and the hub's dispatcher all run, so each
 *   conversion also becomes a referral lifecycle with a reward. Before every baseline round the
 *   bench waits for the dispatch backlog to drain and the worker to go quiet, so the baseline
 *   does not pay for the hub's workflows (the hub's rounds do, as they would in production).
 */
const CONCURRENCY = Number(process.env.BENCH_INTAKE_CONCURRENCY ?? 32);
// 16, not the hub's default 32: hub and baseline each hold a full pool at once, next to the
// worker's and other runs' sessions, and the shared server allows 100 connections in all.
const POOL_SIZE = Number(process.env.BENCH_INTAKE_POOL ?? 16);
const PER_ROUND = Number(process.env.BENCH_INTAKE_PER_ROUND ?? 2000);
const ROUNDS = Number(process.env.BENCH_INTAKE_ROUNDS ?? 4);
// With dispatch running every conversion also becomes a lifecycle the worker has to finish
// before the next baseline round (on a shared 2-core box, tens a second): smaller rounds.
const DISPATCHING_PER_ROUND = Number(process.env.BENCH_INTAKE_DISPATCHING_PER_ROUND ?? 500);
const DISPATCHING_ROUNDS = Number(process.env.BENCH_INTAKE_DISPATCHING_ROUNDS ?? 2);
const WARMUP = 500;
const MEMBERS = 50;
const MODES = (process.env.BENCH_INTAKE_MODES ?? 'paused,dispatching').split(',') as Mode[];

type Mode = 'paused' | 'dispatching';
type Side = 'baseline' | 'hub';
interface Round {
  sent: number;
  created: number;
  failures: Map<string, number>;
  latencies: number[];
  seconds: number;
  cpu: CpuSnapshot;
}

export async function benchIntake() {
  const results: Partial<Record<Mode, Awaited<ReturnType<typeof measure>>>> = {};
  for (const mode of MODES) results[mode] = await measure(mode);
  if (results.paused && results.dispatching) {
    console.log(
      `intake ratio hub/baseline: ${results.paused.ratio.toFixed(2)} with dispatch paused (target ≥ 0.70, hub p99 ${results.paused.hub.p99.toFixed(1)} ms, target ≤ 30 ms), ` +
        `${results.dispatching.ratio.toFixed(2)} with dispatch running (hub p99 ${results.dispatching.hub.p99.toFixed(1)} ms)`,
    );
  }
  return results;
}

async function measure(mode: Mode) {
  const db = await benchDatabase();
  const dbName = new URL(db.url).pathname.slice(1);
  const [perRound, roundCount, warmup] =
    mode === 'paused' ? [PER_ROUND, ROUNDS, WARMUP] : [DISPATCHING_PER_ROUND, DISPATCHING_ROUNDS, WARMUP / 2];
  const started: { hub?: ChildProcess; baseline?: ChildProcess; worker?: ChildProcess } = {};
  const temporalPort = 17_233 + (process.pid % 1000);
  const cpu = cpuMeter({
    hub: childOf(() => started.hub),
    baseline: childOf(() => started.baseline),
    ...(mode === 'dispatching'
      ? { worker: childOf(() => started.worker), temporal: (c: string) => TEMPORAL(c) && c.includes(`--port ${temporalPort} `) }
      : {}),
    // Only the backends serving this run's database: others share the machine's PostgreSQL.
    postgres: (c) => POSTGRES(c) && c.includes(` ${dbName} `),
  });
  const hubPort = 18_000 + (process.pid % 1000);
  const baselinePort = hubPort + 1000;
  const hubBase = `http://127.0.0.1:${hubPort}`;
  const baselineBase = `http://127.0.0.1:${baselinePort}`;
  const bootstrapKey = `rh_bench_${randomBytes(16).toString('hex')}`;
  const secretKey = randomBytes(32).toString('hex');
  const children: ChildProcess[] = [];
  const sql = postgres(db.url, { max: 2, onnotice: () => {} });
  const agent = new Agent({ connections: CONCURRENCY, pipelining: 1 });
  const settings = loadTemporalSettings();
  const temporal =
    mode === 'dispatching' ? await startTemporalDevServer(await findTemporalCli(settings), settings, { port: temporalPort }) : undefined;
  const temporalConnection = temporal ? await Connection.connect({ address: temporal.address }) : undefined;

  try {
    const env = {
      DATABASE_URL: db.url,
      // Paused: the hub never calls Temporal, so an address nobody listens on.
      TEMPORAL_ADDRESS: temporal?.address ?? '127.0.0.1:1',
      HUB_SECRET_KEY: secretKey,
      HUB_DB_POOL_SIZE: String(POOL_SIZE),
      LOG_LEVEL: 'error',
    };
    started.hub = await startProcess(
      ['hub/main.ts'],
      {
        ...env,
        HUB_PORT: String(hubPort),
        HUB_HOST: '127.0.0.1',
        HUB_BOOTSTRAP_API_KEY: bootstrapKey,
        HUB_DISPATCH: mode === 'paused' ? 'off' : 'on',
      },
      async () => (await fetch(`${hubBase}/healthz`)).ok,
    );
    children.push(started.hub);
    if (temporalConnection) {
      // Ready once it polls its task queue for workflow tasks.
      started.worker = await startProcess(['workflows/worker/main.ts'], env, async () => {
        const answer = await temporalConnection.workflowService.describeTaskQueue({
          namespace: settings.namespace,
          taskQueue: { name: settings.taskQueues.lifecycle },
          taskQueueType: 1, // TASK_QUEUE_TYPE_WORKFLOW
        });
        return (answer.pollers ?? []).length > 0;
      });
      children.push(started.worker);
    }
    const post = async (base: string, key: string, path: string, body: unknown) => {
      const res = await request(`${base}${path}`, {
        method: 'POST',
        dispatcher: agent,
        body: JSON.stringify(body),
        headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
      });
      return { status: res.statusCode, text: await res.body.text() };
    };
    const setup = async (path: string, body: unknown) => {
      const res = await post(hubBase, bootstrapKey, path, body);
      if (res.status >= 300) throw new Error(`${path} → ${res.status} ${res.text}`);
      return JSON.parse(res.text);
    };
    const program = await setup('/api/v1/programs', {
      name: 'Bench',
      slug: 'bench',
      landingUrl: 'https://bench.example',
      rewardRules: [{ name: 'c', trigger: 'conversion', recipient: 'member', amount: { type: 'fixed', value: 1 }, kind: 'cash' }],
    });
    const codes: string[] = [];
    for (let i = 0; i < MEMBERS; i++)
      codes.push((await setup('/api/v1/members', { programId: program.id, email: `m${i}@bench.example`, firstName: 'Ben' })).referralCode);
    // What a customer's checkout backend holds: a key that may only track this program.
    const trackKey: string = (await setup('/api/v1/api-keys', { name: 'checkout', scopes: ['track'], programIds: [program.id] })).key;
    const baselineKey = `rh_baseline_${randomBytes(16).toString('hex')}`;
    // Started after the members exist: it reads the code → member map once.
    started.baseline = await startProcess(
      ['bench/intake-baseline-server.ts'],
      { DATABASE_URL: db.url, BASELINE_PORT: String(baselinePort), BASELINE_POOL_SIZE: String(POOL_SIZE), BASELINE_KEY: baselineKey },
      async () => (await fetch(`${baselineBase}/healthz`)).ok,
    );
    children.push(started.baseline);

    let sequence = 0;
    const round = async (side: Side, total: number): Promise<Round> => {
      const [base, key] = side === 'hub' ? [hubBase, trackKey] : [baselineBase, baselineKey];
      const tally: Round = { sent: 0, created: 0, failures: new Map(), latencies: [], seconds: 0, cpu: {} };
      const before = cpu.snapshot();
      const started = performance.now();
      let next = 0;
      await Promise.all(
        Array.from({ length: CONCURRENCY }, async () => {
          while (next < total) {
            next++;
            const i = sequence++;
            const t = performance.now();
            tally.sent++;
            try {
              const res = await post(base, key, '/api/v1/conversions', {
                programId: program.id,
                referralCode: codes[i % codes.length],
                email: `${side}-${i}@friends.example`,
                firstName: 'Friend',
                amount: 42,
                currency: 'USD',
                source: 'checkout',
                customFields: { plan: 'pro' },
              });
              if (res.status === 201) tally.created++;
              else tally.failures.set(String(res.status), (tally.failures.get(String(res.status)) ?? 0) + 1);
            } catch (err) {
              const name = (err as Error).name;
              tally.failures.set(name, (tally.failures.get(name) ?? 0) + 1);
            }
            tally.latencies.push(performance.now() - t);
          }
        }),
      );
      tally.seconds = (performance.now() - started) / 1000;
      const after = cpu.snapshot();
      for (const k of Object.keys(after)) tally.cpu[k] = after[k]! - before[k]!;
      return tally;
    };

    /** Dispatching: waits until the hub's earlier conversions are in Temporal and the worker is quiet. */
    const settle = async (): Promise<number> => {
      if (mode !== 'dispatching') return 0;
      const started = performance.now();
      // The worker only: an idle dev server still ticks. Bounded, so a machine too busy to catch
      // up makes a short run with the baseline paying part of the hub's work (the printed wait says so).
      const busy = (c: CpuSnapshot) => c.worker ?? 0;
      for (const until = Date.now() + 60_000; Date.now() < until;) {
        const before = cpu.snapshot();
        await new Promise((r) => setTimeout(r, 500));
        const quiet = busy(cpu.snapshot()) - busy(before) < 0.05; // under a tenth of a core
        if (quiet && (await lifecycleBacklog(sql)).count === 0) break;
      }
      return (performance.now() - started) / 1000;
    };

    // Warm both (JIT, pools, statement caches, the key cache).
    await round('baseline', warmup);
    await round('hub', warmup);

    const rounds: Record<Side, Round[]> = { baseline: [], hub: [] };
    console.log(
      `intake (${mode === 'paused' ? 'dispatch paused: HUB_DISPATCH=off' : 'dispatch running: Temporal dev server + worker'}): ` +
        `${roundCount} alternating rounds of ${perRound} POST /api/v1/conversions each, ${CONCURRENCY} connections, pool ${POOL_SIZE}`,
    );
    for (let r = 0; r < roundCount; r++) {
      for (const side of ['baseline', 'hub'] as const) {
        const waited = side === 'baseline' ? await settle() : 0;
        const tally = await round(side, perRound);
        rounds[side].push(tally);
        console.log(
          `  round ${r + 1} ${side.padEnd(8)} ${(tally.sent / tally.seconds).toFixed(0).padStart(6)} req/s` +
            `${tally.failures.size ? `  failures ${JSON.stringify(Object.fromEntries(tally.failures))}` : ''}` +
            `${waited > 0.6 ? `  (waited ${waited.toFixed(1)} s for the worker to finish the hub's last round)` : ''}`,
        );
      }
    }

    const summary = (side: Side) => {
      const list = rounds[side];
      const latencies = list.flatMap((t) => t.latencies).sort((a, b) => a - b);
      const sum = (f: (t: Round) => number) => list.reduce((s, t) => s + f(t), 0);
      const cpuTotal: CpuSnapshot = {};
      for (const t of list) for (const [k, v] of Object.entries(t.cpu)) cpuTotal[k] = (cpuTotal[k] ?? 0) + v;
      return {
        sent: sum((t) => t.sent),
        created: sum((t) => t.created),
        perSecond: sum((t) => t.sent) / sum((t) => t.seconds),
        p50: percentile(latencies, 50),
        p99: percentile(latencies, 99),
        cpu: cpuTotal,
      };
    };
    const baseline = summary('baseline');
    const hub = summary('hub');
    const ratio = hub.perSecond / baseline.perSecond;
    const zero = Object.fromEntries(Object.keys(hub.cpu).map((k) => [k, 0]));
    const line = (label: string, s: typeof hub) =>
      `  ${label} ${s.perSecond.toFixed(0).padStart(6)} req/s  p50 ${s.p50.toFixed(2)} ms  p99 ${s.p99.toFixed(2)} ms`;
    console.log(line('baseline (Hono + one INSERT)  ', baseline));
    console.log(line('hub POST /api/v1/conversions  ', hub));
    console.log(
      `  ratio hub/baseline             ${ratio.toFixed(2)}   ${mode === 'paused' ? '(target ≥ 0.70, hub p99 ≤ 30 ms)' : '(for information: the target is with dispatch paused)'}`,
    );
    console.log(`  CPU ms per conversion, baseline: ${cpu.perOperation(zero, baseline.cpu, baseline.sent)}  (self = load generator)`);
    console.log(`  CPU ms per conversion, hub:      ${cpu.perOperation(zero, hub.cpu, hub.sent)}`);

    // Every 201 is a committed referral; the hub's each with its event-log row.
    const [counts] = await sql<{ hub: number; baseline: number; events: number }[]>`
      select count(*) filter (where email like 'hub-%')::int as hub, count(*) filter (where email like 'baseline-%')::int as baseline,
        (select count(*)::int from events where type = 'referral.created' and payload->>'email' like 'hub-%') as events
      from referrals`;
    const backlog = await lifecycleBacklog(sql);
    console.log(
      `  rows: hub ${counts!.hub} referrals / ${counts!.events} events for ${hub.created + warmup} created, baseline ${counts!.baseline} for ${baseline.created + warmup}; ` +
        `referral events not yet handed to Temporal: ${backlog.count}${mode === 'paused' ? ' (paused: all of them, by design)' : ''}`,
    );
    if (hub.created !== hub.sent || baseline.created !== baseline.sent)
      throw new Error('some conversions were not created (see failures above)');
    return { baseline, hub, ratio };
  } finally {
    await agent.close();
    await sql.end();
    for (const child of children.reverse()) {
      if (child.exitCode !== null) continue;
      const exited = new Promise((r) => child.once('exit', r));
      child.kill('SIGTERM');
      await exited;
    }
    await temporalConnection?.close();
    await temporal?.stop();
    await db.drop();
  }
}
