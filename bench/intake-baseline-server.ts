import { serve } from '@hono/node-server';
import { Hono } from 'hono';
import postgres from 'postgres';
import { newId } from '../lib/ids.js';

/**
 * The intake bench's baseline, run as its own process like the hub: the least a conversion
 * endpoint can do with the same stack (Hono, @hono/node-server, postgres.js, the same pool size).
 * It checks the bearer key by plain comparison, reads the JSON body, finds the member from a
 * code → member map read once at start, and does ONE INSERT of the same referral row the hub
 * writes (no event row, no group commit, no schema validation), then answers 201 with the row.
 */
const env = process.env;
const sql = postgres(env.DATABASE_URL!, { max: Number(env.BASELINE_POOL_SIZE ?? 32), onnotice: () => {} });
const key = `Bearer ${env.BASELINE_KEY}`;

const memberOf = new Map<string, { id: string; programId: string }>();
for (const row of await sql<{ code: string; id: string; programId: string }[]>`
  select referral_code as code, id, program_id as "programId" from members where deleted_at is null`)
  memberOf.set(row.code, { id: row.id, programId: row.programId });

interface Conversion {
  programId?: string;
  referralCode?: string;
  email?: string;
  firstName?: string;
  amount?: number;
  currency?: string;
  source?: string;
  customFields?: Record<string, unknown>;
}

const app = new Hono();
app.get('/healthz', (c) => c.text('ok'));
app.post('/api/v1/conversions', async (c) => {
  if (c.req.header('authorization') !== key) return c.json({ error: 'unauthorized' }, 401);
  const input = await c.req.json<Conversion>();
  const member = memberOf.get(String(input.referralCode).toUpperCase());
  if (!input.email || !member || member.programId !== input.programId) return c.json({ error: 'validation_failed' }, 400);
  const now = new Date();
  const row = {
    id: newId('ref'),
    programId: member.programId,
    memberId: member.id,
    email: input.email,
    firstName: input.firstName ?? null,
    status: 'pending',
    source: input.source ?? 'api',
    amount: input.amount ?? null,
    currency: input.currency ?? null,
    customFields: input.customFields ?? {},
    fraudFlags: [] as string[],
    createdAt: now,
    updatedAt: now,
  };
  await sql`insert into referrals (id, program_id, member_id, email, first_name, status, source, amount, currency,
      custom_fields, fraud_flags, created_at, updated_at)
    values (${row.id}, ${row.programId}, ${row.memberId}, ${row.email}, ${row.firstName}, ${row.status}, ${row.source},
      ${row.amount}, ${row.currency}, ${sql.json(row.customFields as postgres.JSONValue)}, ${sql.json(row.fraudFlags)},
      ${row.createdAt}, ${row.updatedAt})`;
  return c.json(row, 201);
});

const server = serve({ fetch: app.fetch, port: Number(env.BASELINE_PORT), hostname: '127.0.0.1' });
process.once('SIGTERM', () => {
  server.close();
  void sql.end({ timeout: 5 }).then(() => process.exit(0));
});
