import { randomBytes } from 'node:crypto';
import postgres from 'postgres';
import { benchDatabase, percentile, startProcess } from './bench-support.js';

const REFERRALS = Number(process.env.BENCH_CONSOLE_REFERRALS ?? 100_000);
const MEMBERS = Math.max(1, Math.round(REFERRALS / 100));
const ROUNDS = Number(process.env.BENCH_CONSOLE_ROUNDS ?? 40);
const TARGET_MS = 50;
const WARMUP = 5;
const EMAIL = 'bench-admin@example.com';
const PASSWORD = `bench-${randomBytes(8).toString('hex')}`;
const KEY = `rh_bench_${randomBytes(16).toString('hex')}`;

/** Console list pages and the API list of the same records and page size, as [page, api]. */
const PAGES: [string, string][] = [
  ['/ui/referrals', '/api/v1/referrals?limit=50'],
  ['/ui/referrals?status=pending', '/api/v1/referrals?limit=50&status=pending'],
  ['/ui/members', '/api/v1/members?limit=50'],
  ['/ui/rewards', '/api/v1/rewards?limit=50&status=pending'],
  ['/ui/rewards?status=approved', '/api/v1/rewards?limit=50&status=approved'],
  ['/ui/payouts', '/api/v1/payouts?limit=50'],
  ['/ui/programs', '/api/v1/programs?limit=50'],
  ['/ui/connectors', '/api/v1/connectors?limit=50'],
  ['/ui', '/api/v1/me'],
];

/**
 * Console list pages at 100,000 referrals: the hub's own time per page (its Server-Timing header)
 * next to the API's JSON list of the same records in the same run, which is the baseline (the
 * same queries without HTML). Target: every page under 50 ms at p95.
 */
export async function benchConsoleLists() {
  const db = await benchDatabase();
  const sql = postgres(db.url, { max: 2, onnotice: () => {} });
  const port = 19_500 + (process.pid % 400);
  let hub: Awaited<ReturnType<typeof startProcess>> | undefined;
  try {
    const t0 = performance.now();
    await sql`insert into programs (id, slug, name, landing_url) values ('prg_bench', 'bench', 'Bench', 'https://bench.example')`;
    await sql`insert into reward_rules (id, program_id, position, name, trigger, recipient, amount, kind)
      values ('rul_bench', 'prg_bench', 0, 'Bonus', 'conversion', 'member', '{"type":"fixed","value":5}', 'cash')`;
    await sql`
      insert into members (id, program_id, email, first_name, referral_code, created_at, updated_at)
      select 'mem_' || lpad(g::text, 10, '0'), 'prg_bench', 'member' || g || '@example.com', 'Member ' || g, 'CODE' || g,
        now() - (g || ' minutes')::interval, now()
      from generate_series(1, ${MEMBERS}) g`;
    await sql`
      insert into referrals (id, program_id, member_id, email, first_name, status, source, created_at, updated_at)
      select 'ref_' || lpad(g::text, 10, '0'), 'prg_bench', 'mem_' || lpad((1 + g % ${MEMBERS})::text, 10, '0'),
        'friend' || g || '@example.com', 'Friend', (array['pending','qualified','converted','rejected'])[1 + g % 4], 'api',
        now() - (g || ' seconds')::interval, now()
      from generate_series(1, ${REFERRALS}) g`;
    await sql`
      insert into rewards (id, program_id, rule_id, referral_id, recipient, member_id, amount, currency, kind, status, trigger, idempotency_key, created_at, updated_at)
      select 'rwd_' || lpad(g::text, 10, '0'), 'prg_bench', 'rul_bench', 'ref_' || lpad(g::text, 10, '0'), 'member',
        'mem_' || lpad((1 + g % ${MEMBERS})::text, 10, '0'), 5, 'USD', 'cash', case when g % 50 = 0 then 'pending' else 'approved' end,
        'conversion', 'bench-' || g, now() - (g || ' seconds')::interval, now()
      from generate_series(1, ${REFERRALS}) g`;
    await sql`analyze`;
    console.log(
      `console: ${REFERRALS.toLocaleString('en')} referrals, ${REFERRALS.toLocaleString('en')} rewards, ${MEMBERS.toLocaleString('en')} members loaded in ${((performance.now() - t0) / 1000).toFixed(1)} s`,
    );

    hub = await startProcess(
      ['hub/main.ts'],
      {
        DATABASE_URL: db.url,
        TEMPORAL_ADDRESS: '127.0.0.1:1',
        HUB_PORT: String(port),
        HUB_HOST: '127.0.0.1',
        HUB_BOOTSTRAP_API_KEY: KEY,
        HUB_BOOTSTRAP_ADMIN_EMAIL: EMAIL,
        HUB_BOOTSTRAP_ADMIN_PASSWORD: PASSWORD,
        HUB_SECRET_KEY: randomBytes(32).toString('hex'),
        LOG_LEVEL: 'fatal',
      },
      async () => (await fetch(`http://127.0.0.1:${port}/healthz`)).ok,
    );
    const base = `http://127.0.0.1:${port}`;
    const cookie = await signIn(base);

    const serverMs = (res: Response) => Number(/dur=([\d.]+)/.exec(res.headers.get('server-timing') ?? '')?.[1] ?? NaN);
    console.log('page                                   p50 ms   p95 ms   API p50 ms   ratio (page/API, p50)');
    let worst = 0;
    for (const [page, api] of PAGES) {
      const pageTimes: number[] = [];
      const apiTimes: number[] = [];
      // A few unmeasured requests first: the first render of a page compiles its code.
      for (let i = 0; i < WARMUP; i++) {
        await (await fetch(base + page, { headers: { cookie } })).text();
        await (await fetch(base + api, { headers: { authorization: `Bearer ${KEY}` } })).text();
      }
      // Alternating, so a noisy moment on a shared machine hits both sides alike.
      for (let i = 0; i < ROUNDS; i++) {
        const p = await fetch(base + page, { headers: { cookie }, redirect: 'manual' });
        if (p.status !== 200) throw new Error(`${page} answered ${p.status}`);
        await p.text();
        pageTimes.push(serverMs(p));
        const t = performance.now();
        const a = await fetch(base + api, { headers: { authorization: `Bearer ${KEY}` } });
        await a.text();
        apiTimes.push(performance.now() - t);
      }
      pageTimes.sort((x, y) => x - y);
      apiTimes.sort((x, y) => x - y);
      const p50 = percentile(pageTimes, 50);
      const p95 = percentile(pageTimes, 95);
      const apiP50 = percentile(apiTimes, 50);
      worst = Math.max(worst, p95);
      console.log(
        `${page.padEnd(38)} ${p50.toFixed(1).padStart(6)}   ${p95.toFixed(1).padStart(6)}   ${apiP50.toFixed(1).padStart(10)}   ${(p50 / apiP50).toFixed(2)}×`,
      );
    }
    console.log(`console: slowest page p95 ${worst.toFixed(1)} ms (target < ${TARGET_MS} ms) ${worst < TARGET_MS ? 'MET' : 'MISSED'}`);
    console.log(
      "(page: the hub's own time from its Server-Timing header; API: the client's round trip over loopback, which includes HTTP)",
    );
  } finally {
    hub?.kill('SIGTERM');
    await sql.end();
    await db.drop();
  }
}

/** Signs in through the real form and returns the session cookie. */
async function signIn(base: string): Promise<string> {
  const login = await fetch(`${base}/login`);
  const csrfCookie = login.headers
    .getSetCookie()
    .map((c) => c.split(';')[0]!)
    .join('; ');
  const token = /name="_csrf" value="([^"]+)"/.exec(await login.text())![1]!;
  const res = await fetch(`${base}/login`, {
    method: 'POST',
    redirect: 'manual',
    headers: { 'content-type': 'application/x-www-form-urlencoded', cookie: csrfCookie },
    body: new URLSearchParams({ _csrf: token, email: EMAIL, password: PASSWORD }).toString(),
  });
  if (res.status !== 303) throw new Error(`sign-in answered ${res.status}`);
  return res.headers
    .getSetCookie()
    .map((c) => c.split(';')[0]!)
    .find((c) => c.startsWith('rh_session='))!;
}
