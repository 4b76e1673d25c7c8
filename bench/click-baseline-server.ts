import { createHash, randomUUID } from 'node:crypto';
import { serve } from '@hono/node-server';
import { Hono } from 'hono';
import postgres from 'postgres';
import { newId } from '../lib/ids.js';

/**
 * The clicks bench's baseline, run as its own process like the hub: the least a referral link
 * can do with the same stack (Hono, @hono/node-server, postgres.js, the same pool size): one
 * INSERT of a click row like the hub's, then a 302. The code → member map is read once at start,
 * so each request costs exactly one statement.
 */
const env = process.env;
const sql = postgres(env.DATABASE_URL!, { max: Number(env.BASELINE_POOL_SIZE ?? 32), onnotice: () => {} });
const salt = 'baseline-salt';

const targets = new Map<string, { programId: string; memberId: string; landingUrl: string }>();
for (const row of await sql<{ code: string; memberId: string; programId: string; landingUrl: string }[]>`
  select m.referral_code as code, m.id as "memberId", p.id as "programId", p.landing_url as "landingUrl"
  from members m join programs p on p.id = m.program_id`) {
  const url = new URL(row.landingUrl);
  url.searchParams.set('ref', row.code);
  targets.set(row.code, { programId: row.programId, memberId: row.memberId, landingUrl: url.toString() });
}

const app = new Hono();
app.get('/healthz', (c) => c.text('ok'));
app.get('/r/:code', async (c) => {
  const target = targets.get(c.req.param('code').toUpperCase());
  if (!target) return c.text('unknown code', 404);
  const ip = c.req.header('x-forwarded-for') ?? '127.0.0.1';
  await sql`insert into clicks (id, program_id, member_id, visitor_id, ip_hash, user_agent, landing_url)
    values (${newId('clk')}, ${target.programId}, ${target.memberId}, ${randomUUID()},
      ${createHash('sha256').update(`${salt}:${ip}`).digest('hex')}, ${c.req.header('user-agent')?.slice(0, 500) ?? null},
      ${target.landingUrl})`;
  return c.redirect(target.landingUrl, 302);
});

const server = serve({ fetch: app.fetch, port: Number(env.BASELINE_PORT), hostname: '127.0.0.1' });
process.once('SIGTERM', () => {
  server.close();
  void sql.end({ timeout: 5 }).then(() => process.exit(0));
});
