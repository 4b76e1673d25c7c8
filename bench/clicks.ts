import { randomBytes } from 'node:crypto';
import postgres from 'postgres';
import { Agent, request } from 'undici';
import { benchDatabase, percentile, startProcess } from './bench-support.js';
import { childOf, cpuMeter, POSTGRES, type CpuSnapshot } from './process-cpu.js';

/**
 * Referral link clicks: `GET /r/:code` on the hub (code lookup, click row, cookies, 302) next to a
 * minimal Hono + postgres.js server that only INSERTs an equivalent click row and answers 302.
 * Both run as their own process with the same pool size, hit by the same undici client with the
 * same connection count, in alternating rounds so drift on a shared machine hits both alike.
 * Prints each round's rate, overall req/s, the ratio, p50/p99, the CPU per click (hub or baseline /
 * PostgreSQL / this load generator), and checks that every hub click was recorded or answered 429.
 *
 * The hub limits clicks to 120 per client address and minute. The bench does not raise that
 * limit: it declares 127.0.0.1 a trusted proxy (HUB_TRUSTED_PROXIES) and gives each request its
 * own X-Forwarded-For address, as many visitors behind a load balancer would look.
 */
const CONCURRENCY = Number(process.env.BENCH_CLICKS_CONCURRENCY ?? 32);
const POOL_SIZE = 32;
const PER_ROUND = Number(process.env.BENCH_CLICKS_PER_ROUND ?? 3000);
const ROUNDS = Number(process.env.BENCH_CLICKS_ROUNDS ?? 4);
const WARMUP = 1000;
const MEMBERS = 50;
const USER_AGENT = 'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0.0.0 Safari/537.36';
const KEY = `rh_bench_${randomBytes(16).toString('hex')}`;

type Side = 'baseline' | 'hub';
interface Tally {
  sent: number;
  redirected: number;
  limited: number;
  other: Map<string, number>;
  latencies: number[];
  seconds: number;
  cpu: CpuSnapshot;
}

/** `10.a.b.c` from a request number: one client address per request. */
const addressOf = (i: number) => `10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}`;

export async function benchClicks() {
  const db = await benchDatabase();
  // Only the backends serving this run's database: others share the machine's PostgreSQL.
  const dbName = new URL(db.url).pathname.slice(1);
  const children: Awaited<ReturnType<typeof startProcess>>[] = [];
  // This run's own hub (children[0]) and baseline (children[1]), by pid.
  const cpu = cpuMeter({
    hub: childOf(() => children[0]),
    baseline: childOf(() => children[1]),
    postgres: (c) => POSTGRES(c) && c.includes(` ${dbName} `),
  });
  const hubPort = 18_000 + (process.pid % 1000);
  const baselinePort = hubPort + 1000;
  const hubBase = `http://127.0.0.1:${hubPort}`;
  const baselineBase = `http://127.0.0.1:${baselinePort}`;
  const sql = postgres(db.url, { max: 2, onnotice: () => {} });
  const agent = new Agent({ connections: CONCURRENCY, pipelining: 1 });

  try {
    children.push(
      await startProcess(
        ['hub/main.ts'],
        {
          DATABASE_URL: db.url,
          // Clicks never touch Temporal: a port nobody listens on.
          TEMPORAL_ADDRESS: '127.0.0.1:1',
          HUB_PORT: String(hubPort),
          HUB_HOST: '127.0.0.1',
          HUB_BOOTSTRAP_API_KEY: KEY,
          HUB_SECRET_KEY: randomBytes(32).toString('hex'),
          HUB_DB_POOL_SIZE: String(POOL_SIZE),
          HUB_TRUSTED_PROXIES: '127.0.0.1',
          LOG_LEVEL: 'error',
        },
        async () => (await fetch(`${hubBase}/healthz`)).ok,
      ),
    );
    const post = async (path: string, body: unknown) => {
      const res = await request(`${hubBase}${path}`, {
        method: 'POST',
        dispatcher: agent,
        body: JSON.stringify(body),
        headers: { authorization: `Bearer ${KEY}`, 'content-type': 'application/json' },
      });
      const text = await res.body.text();
      if (res.statusCode >= 300) throw new Error(`${path} → ${res.statusCode} ${text}`);
      return JSON.parse(text);
    };
    const program = await post('/api/v1/programs', {
      name: 'Bench',
      slug: 'bench',
      landingUrl: 'https://bench.example/welcome',
      rewardRules: [{ name: 'c', trigger: 'conversion', recipient: 'member', amount: { type: 'fixed', value: 1 }, kind: 'cash' }],
    });
    const codes: string[] = [];
    for (let i = 0; i < MEMBERS; i++)
      codes.push((await post('/api/v1/members', { programId: program.id, email: `m${i}@bench.example`, firstName: 'Ben' })).referralCode);
    // Started after the members exist: it reads the code → member map once.
    children.push(
      await startProcess(
        ['bench/click-baseline-server.ts'],
        { DATABASE_URL: db.url, BASELINE_PORT: String(baselinePort), BASELINE_POOL_SIZE: String(POOL_SIZE) },
        async () => (await fetch(`${baselineBase}/healthz`)).ok,
      ),
    );

    let sequence = 0;
    const round = async (side: Side, total: number): Promise<Tally> => {
      const base = side === 'hub' ? hubBase : baselineBase;
      const tally: Tally = { sent: 0, redirected: 0, limited: 0, other: new Map(), latencies: [], seconds: 0, cpu: {} };
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
              const res = await request(`${base}/r/${codes[i % codes.length]}`, {
                dispatcher: agent,
                headers: { 'user-agent': USER_AGENT, accept: 'text/html', 'x-forwarded-for': addressOf(i) },
              });
              await res.body.dump();
              if (res.statusCode === 302) tally.redirected++;
              else if (res.statusCode === 429) tally.limited++;
              else tally.other.set(String(res.statusCode), (tally.other.get(String(res.statusCode)) ?? 0) + 1);
            } catch (err) {
              const name = (err as Error).name;
              tally.other.set(name, (tally.other.get(name) ?? 0) + 1);
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
    const clickRows = async () => Number((await sql<{ n: string }[]>`select count(*) as n from clicks`)[0]!.n);

    // Warm both (JIT, pools, the statement caches), then count rows from here on.
    await round('baseline', WARMUP);
    await round('hub', WARMUP);
    const rowsBefore = await clickRows();

    const totals: Record<Side, Tally[]> = { baseline: [], hub: [] };
    const rowsPerSide: Record<Side, number> = { baseline: 0, hub: 0 };
    console.log(`clicks: ${ROUNDS} alternating rounds of ${PER_ROUND} GET /r/:code each, ${CONCURRENCY} connections, pool ${POOL_SIZE}`);
    for (let r = 0; r < ROUNDS; r++) {
      for (const side of ['baseline', 'hub'] as const) {
        const rows = await clickRows();
        const tally = await round(side, PER_ROUND);
        rowsPerSide[side] += (await clickRows()) - rows;
        totals[side].push(tally);
        console.log(
          `  round ${r + 1} ${side.padEnd(8)} ${(tally.sent / tally.seconds).toFixed(0).padStart(6)} req/s` +
            `  (302 ${tally.redirected}, 429 ${tally.limited}${tally.other.size ? `, other ${JSON.stringify(Object.fromEntries(tally.other))}` : ''})`,
        );
      }
    }

    const summary = (side: Side) => {
      const rounds = totals[side];
      const latencies = rounds.flatMap((t) => t.latencies).sort((a, b) => a - b);
      const sum = (f: (t: Tally) => number) => rounds.reduce((s, t) => s + f(t), 0);
      const other = new Map<string, number>();
      for (const t of rounds) for (const [k, v] of t.other) other.set(k, (other.get(k) ?? 0) + v);
      const cpuTotal: CpuSnapshot = {};
      for (const t of rounds) for (const [k, v] of Object.entries(t.cpu)) cpuTotal[k] = (cpuTotal[k] ?? 0) + v;
      return {
        sent: sum((t) => t.sent),
        redirected: sum((t) => t.redirected),
        limited: sum((t) => t.limited),
        other,
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
    console.log(line('baseline (Hono + one INSERT)', baseline));
    console.log(line('hub GET /r/:code            ', hub));
    console.log(`  ratio hub/baseline           ${ratio.toFixed(2)}   (target ≥ 0.80, hub p99 ≤ 20 ms)`);
    console.log(`  CPU ms per click, baseline: ${cpu.perOperation(zero, baseline.cpu, baseline.sent)}  (self = load generator)`);
    console.log(`  CPU ms per click, hub:      ${cpu.perOperation(zero, hub.cpu, hub.sent)}`);

    // Every click is a row or a 429, nothing else and nothing lost.
    const rowsAfter = await clickRows();
    const problems: string[] = [];
    for (const [side, s] of [
      ['baseline', baseline],
      ['hub', hub],
    ] as const) {
      console.log(
        `  ${side}: sent ${s.sent}, 302 ${s.redirected}, 429 ${s.limited}, other ${s.other.size ? JSON.stringify(Object.fromEntries(s.other)) : 0}; click rows added ${rowsPerSide[side]}`,
      );
      if (rowsPerSide[side] !== s.redirected) problems.push(`${side}: ${s.redirected} redirects but ${rowsPerSide[side]} rows`);
      if (s.redirected + s.limited !== s.sent)
        problems.push(`${side}: ${s.sent - s.redirected - s.limited} requests neither recorded nor 429`);
    }
    if (rowsAfter - rowsBefore !== rowsPerSide.baseline + rowsPerSide.hub) problems.push('rows were added between rounds');
    if (problems.length > 0) throw new Error(`clicks were lost or miscounted: ${problems.join('; ')}`);
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
    await db.drop();
  }
}
