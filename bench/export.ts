import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import postgres from 'postgres';
import { Agent, request } from 'undici';
import { benchDatabase, startProcess } from './bench-support.js';

const ROWS = Number(process.env.BENCH_EXPORT_ROWS ?? 1_000_000);
const KEY = `rh_bench_${randomBytes(16).toString('hex')}`;
const FIELDS = 'id,email,firstName,lastName,status,source,createdAt';
const MAPPED_FIELDS = `${FIELDS},customFields.plan`;
const ROUNDS = Number(process.env.BENCH_EXPORT_ROUNDS ?? 5);

/** Peak resident set size of a process (VmHWM), in MB. */
function peakRssMb(pid: number): number {
  const line = readFileSync(`/proc/${pid}/status`, 'utf8')
    .split('\n')
    .find((l) => l.startsWith('VmHWM:'));
  return Number(/(\d+)/.exec(line ?? '')?.[1] ?? 0) / 1024;
}

/**
 * Manual export of 1M referrals through the API (streamed from a database cursor) next to
 * COPY (SELECT …) TO STDOUT of the same columns through the same driver, in the same run.
 */
export async function benchExport() {
  const db = await benchDatabase();
  const sql = postgres(db.url, { max: 2, onnotice: () => {} });
  const port = 19_000 + (process.pid % 1000);
  let hub: Awaited<ReturnType<typeof startProcess>> | undefined;
  try {
    await sql`insert into programs (id, slug, name, landing_url) values ('prg_bench', 'bench', 'Bench', 'https://bench.example')`;
    await sql`insert into members (id, program_id, email, referral_code) values ('mem_bench', 'prg_bench', 'ann@bench.example', 'ANNBENCH')`;
    const t0 = performance.now();
    await sql`
      insert into referrals (id, program_id, member_id, email, first_name, last_name, status, source, created_at, updated_at)
      select 'ref_' || lpad(g::text, 10, '0'), 'prg_bench', 'mem_bench', 'friend' || g || '@example.com', 'Friend', 'No. ' || g,
        'pending', 'checkout', now() - (g || ' seconds')::interval, now()
      from generate_series(1, ${ROWS}) g`;
    await sql`analyze referrals`;
    console.log(`export: ${ROWS.toLocaleString('en')} referrals loaded in ${((performance.now() - t0) / 1000).toFixed(1)} s`);

    hub = await startProcess(
      ['hub/main.ts'],
      {
        DATABASE_URL: db.url,
        TEMPORAL_ADDRESS: '127.0.0.1:1',
        HUB_PORT: String(port),
        HUB_HOST: '127.0.0.1',
        HUB_BOOTSTRAP_API_KEY: KEY,
        HUB_SECRET_KEY: randomBytes(32).toString('hex'),
        LOG_LEVEL: 'fatal',
      },
      async () => (await fetch(`http://127.0.0.1:${port}/healthz`)).ok,
    );
    const rssBefore = peakRssMb(hub.pid!);

    // Baseline: COPY of the same columns, same order, same timestamp format.
    const copyOnce = async () => {
      let bytes = 0;
      const t = performance.now();
      const copy = await sql`
        copy (select id, email, first_name, last_name, status, source, to_char(created_at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')
              from referrals where program_id = 'prg_bench' order by created_at, id) to stdout with (format csv, header)`.readable();
      for await (const chunk of copy) bytes += (chunk as Buffer).length;
      return { seconds: (performance.now() - t) / 1000, bytes };
    };
    const agent = new Agent();
    const apiOnce = async (fields = FIELDS) => {
      let bytes = 0;
      const t = performance.now();
      const res = await request(`http://127.0.0.1:${port}/api/v1/exports/referrals.csv?programId=prg_bench&fields=${fields}`, {
        dispatcher: agent,
        headers: { authorization: `Bearer ${KEY}` },
      });
      if (res.statusCode !== 200) throw new Error(`export answered ${res.statusCode}: ${await res.body.text()}`);
      for await (const chunk of res.body) bytes += (chunk as Buffer).length;
      return { seconds: (performance.now() - t) / 1000, bytes };
    };
    // Alternating rounds, each ratio against the COPY just before it: one noisy second on a
    // shared 2-core box would otherwise decide the result. Every round is printed.
    const rounds: { copy: { seconds: number; bytes: number }; api: { seconds: number; bytes: number } }[] = [];
    for (let i = 0; i < ROUNDS; i++) rounds.push({ copy: await copyOnce(), api: await apiOnce() });
    const peak = peakRssMb(hub.pid!);
    // A nested custom field takes the mapping path (rows through the cursor, CSV written in JS), not
    // COPY: slower by design, but its memory must stay as flat.
    const mapped = await apiOnce(MAPPED_FIELDS);
    const mappedPeak = peakRssMb(hub.pid!);
    await agent.close();

    for (const [i, r] of rounds.entries()) {
      console.log(
        `  round ${i + 1}: COPY ${r.copy.seconds.toFixed(2)} s (${(r.copy.bytes / 1e6).toFixed(1)} MB), API ${r.api.seconds.toFixed(2)} s (${(r.api.bytes / 1e6).toFixed(1)} MB), ratio ${(r.api.seconds / r.copy.seconds).toFixed(2)}`,
      );
    }
    const ratios = rounds.map((r) => r.api.seconds / r.copy.seconds).sort((a, b) => a - b);
    const median = ratios[Math.floor(ratios.length / 2)]!;
    const copySeconds = rounds.map((r) => r.copy.seconds).sort((a, b) => a - b)[Math.floor(ROUNDS / 2)]!;
    const apiSeconds = rounds.map((r) => r.api.seconds).sort((a, b) => a - b)[Math.floor(ROUNDS / 2)]!;
    console.log(`  median ratio API/COPY        ${median.toFixed(2)}   (target ≤ 1.5; worst round ${ratios.at(-1)!.toFixed(2)})`);
    console.log(`  hub peak RSS                 ${peak.toFixed(0)} MB (at start ${rssBefore.toFixed(0)} MB; target < 300 MB)`);
    console.log(
      `  mapping path (+customFields) ${mapped.seconds.toFixed(2)} s (${(mapped.bytes / 1e6).toFixed(1)} MB), ${(mapped.seconds / copySeconds).toFixed(2)}× COPY; hub peak RSS after it ${mappedPeak.toFixed(0)} MB`,
    );
    return { copySeconds, apiSeconds, peak };
  } finally {
    hub?.kill('SIGKILL');
    await sql.end();
    await db.drop();
  }
}
