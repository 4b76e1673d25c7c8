import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import postgres from 'postgres';
import { Agent, request } from 'undici';
import { copyOut } from '../schema/copy-export.js';
import { benchDatabase, startProcess } from './bench-support.js';
import { ensureDistBuild } from './ensure-dist-build.js';
import { consoleSignIn } from './console-sign-in.js';

const ROWS = Number(process.env.BENCH_EXPORT_ROWS ?? 1_000_000);
const KEY = `rh_bench_${randomBytes(16).toString('hex')}`;
const FIELDS = 'id,email,firstName,lastName,status,source,createdAt';
const NESTED_FIELDS = `${FIELDS},customFields.plan`;
const ROUNDS = Number(process.env.BENCH_EXPORT_ROUNDS ?? 3);
const ADMIN = { email: 'bench@bench.example', password: randomBytes(12).toString('hex') };
const ISO = `'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"'`;

// A scheduled file's mapping with the features that used to force the JavaScript path: a value
// map (with noMatch), a nested custom field (value-mapped, with an empty fallback), a date
// format and a template.
const MAPPING = [
  { target: 'id', source: 'referral.id' },
  { target: 'email', source: 'referral.email' },
  { target: 'name', template: '{{referral.firstName}} {{referral.lastName}}' },
  { target: 'status', source: 'referral.status', valueMap: { pending: 'Pending', converted: 'Won', rejected: 'Lost' }, noMatch: 'Other' },
  { target: 'plan', source: 'referral.customFields.plan', valueMap: { pro: 'Professional', gold: 'Gold' }, empty: 'none' },
  { target: 'created', source: 'referral.createdAt', format: 'date:dd/MM/yyyy HH:mm' },
  { target: 'source', source: 'referral.source' },
];

/** A memory figure of a process from /proc/<pid>/status (VmRSS: resident now; VmHWM: peak so far), in MB. */
function memoryMb(pid: number, field: 'VmRSS' | 'VmHWM'): number {
  const line = readFileSync(`/proc/${pid}/status`, 'utf8')
    .split('\n')
    .find((l) => l.startsWith(`${field}:`));
  return Number(/(\d+)/.exec(line ?? '')?.[1] ?? 0) / 1024;
}

/**
 * The highest VmRSS of `pid` while `work` runs, sampled every 20 ms. VmHWM alone would also count
 * what the hub used before the export: signing in hashes the password with scrypt at 128 MiB.
 */
async function peakRssDuring<T>(pid: number, work: () => Promise<T>): Promise<{ result: T; peakMb: number }> {
  let peakMb = memoryMb(pid, 'VmRSS');
  const timer = setInterval(() => (peakMb = Math.max(peakMb, memoryMb(pid, 'VmRSS'))), 20);
  try {
    const result = await work();
    return { result, peakMb: Math.max(peakMb, memoryMb(pid, 'VmRSS')) };
  } finally {
    clearInterval(timer);
  }
}

type Timed = { seconds: number; bytes: number };
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

/**
 * Exports of 1M referrals through the hub next to COPY (SELECT …) TO STDOUT of the same rows
 * through the same driver, in alternating rounds of one run: plain columns (the COPY path), a
 * nested custom field (a mapping compiled to SQL), and a scheduled file's full mapping
 * (value maps, a date format, a nested custom field, a template) downloaded from the console.
 */
export async function benchExport() {
  ensureDistBuild('export');
  const db = await benchDatabase();
  const sql = postgres(db.url, { max: 2, onnotice: () => {} });
  const port = 19_000 + (process.pid % 1000);
  const base = `http://127.0.0.1:${port}`;
  let hub: Awaited<ReturnType<typeof startProcess>> | undefined;
  try {
    await sql`insert into programs (id, slug, name, landing_url) values ('prg_bench', 'bench', 'Bench', 'https://bench.example')`;
    await sql`insert into members (id, program_id, email, referral_code) values ('mem_bench', 'prg_bench', 'ann@bench.example', 'ANNBENCH')`;
    const t0 = performance.now();
    // One referral in four has no plan: the nested field is missing there.
    await sql`
      insert into referrals (id, program_id, member_id, email, first_name, last_name, status, source, custom_fields, created_at, updated_at)
      select 'ref_' || lpad(g::text, 10, '0'), 'prg_bench', 'mem_bench', 'friend' || g || '@example.com', 'Friend', 'No. ' || g,
        (array['pending', 'converted', 'rejected'])[g % 3 + 1], 'checkout',
        case when g % 4 = 0 then '{}'::jsonb else jsonb_build_object('plan', (array['pro', 'gold', 'free'])[g % 3 + 1], 'seats', g % 50) end,
        now() - (g || ' seconds')::interval, now()
      from generate_series(1, ${ROWS}) g`;
    // The creation events a schedule run covers, and one run over all of them.
    await sql`
      insert into events (id, type, program_id, subject_id, payload)
      select 'evt_' || r.id, 'referral.created', r.program_id, r.id, '{}'::jsonb from referrals r order by r.created_at, r.id`;
    await sql`insert into connectors (id, kind, name, settings) values ('con_bench', 'sftp', 'Bench SFTP', '{}'::jsonb)`;
    await sql`insert into schedules (id, name, connector_id, resource, file_name, fields, every)
      values ('sch_bench', 'Bench', 'con_bench', 'referrals', 'bench.csv', ${sql.json(MAPPING)}, '1d')`;
    await sql`insert into schedule_runs (id, schedule_id, status, from_txid, from_seq, to_txid, file_name)
      values ('run_bench', 'sch_bench', 'succeeded', '0'::xid8, 0, pg_current_xact_id(), 'bench.csv')`;
    await sql`analyze`;
    console.log(
      `export: ${ROWS.toLocaleString('en')} referrals (and their events) loaded in ${((performance.now() - t0) / 1000).toFixed(1)} s`,
    );

    // From dist/ with plain node, as production runs it: RSS is the hub's, not a TypeScript loader's.
    hub = await startProcess(
      ['dist/hub/main.js'],
      {
        NODE_ENV: 'production',
        DATABASE_URL: db.url,
        TEMPORAL_ADDRESS: '127.0.0.1:1',
        HUB_PORT: String(port),
        HUB_HOST: '127.0.0.1',
        HUB_PUBLIC_URL: base,
        HUB_BOOTSTRAP_API_KEY: KEY,
        HUB_BOOTSTRAP_ADMIN_EMAIL: ADMIN.email,
        HUB_BOOTSTRAP_ADMIN_PASSWORD: ADMIN.password,
        HUB_SECRET_KEY: randomBytes(32).toString('hex'),
        LOG_LEVEL: 'fatal',
      },
      async () => (await fetch(`${base}/healthz`)).ok,
      { tsx: false },
    );
    const agent = new Agent();
    const cookie = await consoleSignIn(base, ADMIN.email, ADMIN.password, agent);
    const rssBefore = memoryMb(hub.pid!, 'VmRSS');

    // Baselines: COPY of the same rows and columns, timestamps in the same format.
    const copyOnce = async (query: string): Promise<Timed> => {
      let bytes = 0;
      const t = performance.now();
      // copyOut: the hub's own COPY runner, so a small COPY's paused socket (porsager/postgres#499)
      // cannot stall the next round's query on the same connection.
      const copy = await copyOut(sql, `copy (${query}) to stdout with (format csv, header)`, 10_000);
      for await (const chunk of copy.stream) bytes += (chunk as Buffer).length;
      return { seconds: (performance.now() - t) / 1000, bytes };
    };
    const columns = `r.id, r.email, r.first_name, r.last_name, r.status, r.source, to_char(r.created_at at time zone 'UTC', ${ISO})`;
    const copyPlain = () => copyOnce(`select ${columns} from referrals r where r.program_id = 'prg_bench' order by r.created_at, r.id`);
    const copyNested = () =>
      copyOnce(
        `select ${columns}, r.custom_fields ->> 'plan' from referrals r where r.program_id = 'prg_bench' order by r.created_at, r.id`,
      );
    // A run's rows: the referrals of its creation events, in event order.
    const copyRun = () =>
      copyOnce(`select ${columns}, r.custom_fields ->> 'plan' from events e join referrals r on r.id = e.subject_id
        where e.type = 'referral.created' and e.txid < (select to_txid from schedule_runs where id = 'run_bench') order by e.txid, e.seq`);
    const get = async (path: string, headers: Record<string, string>): Promise<Timed> => {
      let bytes = 0;
      const t = performance.now();
      const res = await request(`${base}${path}`, { dispatcher: agent, headers });
      if (res.statusCode !== 200) throw new Error(`${path} answered ${res.statusCode}: ${(await res.body.text()).slice(0, 300)}`);
      for await (const chunk of res.body) bytes += (chunk as Buffer).length;
      return { seconds: (performance.now() - t) / 1000, bytes };
    };
    const auth = { authorization: `Bearer ${KEY}` };
    const apiPlain = () => get(`/api/v1/exports/referrals.csv?programId=prg_bench&fields=${FIELDS}`, auth);
    const apiNested = () => get(`/api/v1/exports/referrals.csv?programId=prg_bench&fields=${NESTED_FIELDS}`, auth);
    const runFile = () => get('/ui/schedules/sch_bench/runs/run_bench/file', { cookie });

    // Alternating rounds, each ratio against the COPY just before it: one noisy second on a
    // shared 2-core box would otherwise decide the result. Every round is printed.
    const pairs = {
      'COPY path (plain columns)': { baseline: copyPlain, hub: apiPlain, rounds: [] as { copy: Timed; hub: Timed }[] },
      'nested custom field (compiled)': { baseline: copyNested, hub: apiNested, rounds: [] as { copy: Timed; hub: Timed }[] },
      'scheduled file, full mapping': { baseline: copyRun, hub: runFile, rounds: [] as { copy: Timed; hub: Timed }[] },
    };
    const peaks: Record<string, number> = {};
    for (let i = 0; i < ROUNDS; i++) {
      for (const [name, p] of Object.entries(pairs)) {
        const copy = await p.baseline();
        const { result, peakMb } = await peakRssDuring(hub.pid!, p.hub);
        p.rounds.push({ copy, hub: result });
        peaks[name] = Math.max(peaks[name] ?? 0, peakMb);
      }
    }
    await agent.close();

    const results: Record<string, { copySeconds: number; hubSeconds: number; ratio: number }> = {};
    for (const [name, p] of Object.entries(pairs)) {
      console.log(`  ${name}:`);
      for (const [i, r] of p.rounds.entries()) {
        console.log(
          `    round ${i + 1}: COPY ${r.copy.seconds.toFixed(2)} s (${(r.copy.bytes / 1e6).toFixed(1)} MB), hub ${r.hub.seconds.toFixed(2)} s (${(r.hub.bytes / 1e6).toFixed(1)} MB), ratio ${(r.hub.seconds / r.copy.seconds).toFixed(2)}`,
        );
      }
      const ratios = p.rounds.map((r) => r.hub.seconds / r.copy.seconds);
      results[name] = {
        copySeconds: median(p.rounds.map((r) => r.copy.seconds)),
        hubSeconds: median(p.rounds.map((r) => r.hub.seconds)),
        ratio: median(ratios),
      };
      console.log(
        `    median: COPY ${results[name].copySeconds.toFixed(2)} s, hub ${results[name].hubSeconds.toFixed(2)} s, ratio ${results[name].ratio.toFixed(2)} (worst ${Math.max(...ratios).toFixed(2)}); hub peak RSS while exporting ${peaks[name]!.toFixed(0)} MB`,
      );
    }
    const peak = Math.max(...Object.values(peaks));
    console.log(
      `  targets: COPY path ≤ 1.5×, mapped ≤ 2×, hub peak RSS < 250 MB (now ${peak.toFixed(0)} MB while exporting, ${rssBefore.toFixed(0)} MB before; VmHWM ${memoryMb(hub.pid!, 'VmHWM').toFixed(0)} MB, which includes scrypt's 128 MiB at sign-in)`,
    );
    return { results, peak };
  } finally {
    hub?.kill('SIGKILL');
    await sql.end();
    await db.drop();
  }
}
