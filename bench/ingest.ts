import { randomBytes } from 'node:crypto';
import postgres from 'postgres';
import { Agent, request } from 'undici';
import { findTemporalCli } from '../lib/find-temporal-cli.js';
import { newId } from '../lib/ids.js';
import { startTemporalDevServer } from '../lib/start-temporal-dev-server.js';
import { loadTemporalSettings } from '../lib/temporal-settings.js';
import { lifecycleBacklog } from '../workflows/dispatch/lifecycle-dispatcher.js';
import { benchDatabase, runConcurrent, startProcess } from './bench-support.js';
import { cpuMeter, POSTGRES, TEMPORAL } from './process-cpu.js';

const CONCURRENCY = 32;
const TOTAL = Number(process.env.BENCH_INGEST_TOTAL ?? 6000);
const WARMUP = 500;
// `self` is this process: the load generator (HTTP clients, or the raw INSERT loop).
const cpu = cpuMeter({ hub: (c) => c.includes('hub/main.ts'), postgres: POSTGRES, temporal: TEMPORAL });
const KEY = `rh_bench_${randomBytes(16).toString('hex')}`;

/**
 * Hub ingest (POST /api/v1/conversions over HTTP, committed and handed to Temporal) next to the
 * raw single-row INSERT rate into the same table through the same driver, same concurrency.
 */
export async function benchIngest() {
  const db = await benchDatabase();
  const settings = loadTemporalSettings();
  const temporal = await startTemporalDevServer(await findTemporalCli(settings), settings, { port: 17_233 + (process.pid % 1000) });
  const port = 18_000 + (process.pid % 1000);
  const base = `http://127.0.0.1:${port}`;
  const hub = await startProcess(
    ['hub/main.ts'],
    {
      DATABASE_URL: db.url,
      TEMPORAL_ADDRESS: temporal.address,
      HUB_PORT: String(port),
      HUB_HOST: '127.0.0.1',
      HUB_BOOTSTRAP_API_KEY: KEY,
      HUB_SECRET_KEY: randomBytes(32).toString('hex'),
      LOG_LEVEL: 'warn',
    },
    async () => (await fetch(`${base}/healthz`)).ok,
  );
  const sql = postgres(db.url, { max: CONCURRENCY, onnotice: () => {} });
  const agent = new Agent({ connections: CONCURRENCY, pipelining: 1 });
  const post = async (path: string, body: unknown) => {
    const res = await request(`${base}${path}`, {
      method: 'POST',
      dispatcher: agent,
      body: JSON.stringify(body),
      headers: { authorization: `Bearer ${KEY}`, 'content-type': 'application/json' },
    });
    const text = await res.body.text();
    if (res.statusCode >= 300) throw new Error(`${path} → ${res.statusCode} ${text}`);
    return JSON.parse(text);
  };

  try {
    const program = await post('/api/v1/programs', {
      name: 'Bench',
      slug: 'bench',
      landingUrl: 'https://bench.example',
      rewardRules: [{ name: 'c', trigger: 'conversion', recipient: 'member', amount: { type: 'fixed', value: 1 }, kind: 'cash' }],
    });
    const members: { id: string; referralCode: string }[] = [];
    for (let i = 0; i < 50; i++)
      members.push(await post('/api/v1/members', { programId: program.id, email: `m${i}@bench.example`, firstName: 'Ben' }));
    const convert = (tag: string) => (i: number) =>
      post('/api/v1/conversions', {
        programId: program.id,
        referralCode: members[i % members.length]!.referralCode,
        email: `${tag}-${i}@friends.example`,
        firstName: 'Friend',
        amount: 42,
        currency: 'USD',
        source: 'checkout',
        customFields: { plan: 'pro' },
      }).then(() => undefined);

    // Raw baseline: the same row shape, one INSERT per statement, autocommit.
    const rawInsert = (tag: string) => async (i: number) => {
      await sql`insert into referrals (id, program_id, member_id, email, first_name, status, source, amount, currency, custom_fields)
        values (${newId('ref')}, ${program.id}, ${members[i % members.length]!.id}, ${`${tag}-${i}@raw.example`}, 'Friend', 'pending', 'checkout', 42, 'USD', ${sql.json({ plan: 'pro' })})`;
    };

    await runConcurrent(WARMUP, CONCURRENCY, rawInsert('warm'));
    await runConcurrent(WARMUP, CONCURRENCY, convert('warm'));
    // The warm-up's workflow starts must not run during the baseline: it would pay for them.
    for (const until = Date.now() + 120_000; (await lifecycleBacklog(sql)).count > 0 && Date.now() < until;)
      await new Promise((r) => setTimeout(r, 200));
    const rawCpu = cpu.snapshot();
    const raw = await runConcurrent(TOTAL, CONCURRENCY, rawInsert('raw'));
    const hubCpu = cpu.snapshot();
    const hubRun = await runConcurrent(TOTAL, CONCURRENCY, convert('hub'));
    const endCpu = cpu.snapshot();
    const ratio = hubRun.perSecond / raw.perSecond;

    const backlog = await lifecycleBacklog(sql);
    console.log(`ingest: ${TOTAL} operations each, ${CONCURRENCY} concurrent clients`);
    console.log(
      `  raw INSERT (postgres.js)      ${raw.perSecond.toFixed(0).padStart(7)} rows/s         p50 ${raw.p50.toFixed(2)} ms  p99 ${raw.p99.toFixed(2)} ms`,
    );
    console.log(
      `  hub POST /api/v1/conversions  ${hubRun.perSecond.toFixed(0).padStart(7)} conversions/s  p50 ${hubRun.p50.toFixed(2)} ms  p99 ${hubRun.p99.toFixed(2)} ms`,
    );
    console.log(`  ratio hub/raw                 ${ratio.toFixed(2)}   (target ≥ 0.70, p99 ≤ 30 ms)`);
    console.log(`  CPU ms per operation, raw: ${cpu.perOperation(rawCpu, hubCpu, TOTAL)}`);
    console.log(`  CPU ms per operation, hub: ${cpu.perOperation(hubCpu, endCpu, TOTAL)}`);
    console.log(`  referral events not yet handed to Temporal at the end: ${backlog.count}`);
    return { raw, hub: hubRun, ratio };
  } finally {
    await agent.close();
    await sql.end();
    hub.kill('SIGTERM');
    await new Promise((r) => hub.once('exit', r));
    await temporal.stop();
    await db.drop();
  }
}
