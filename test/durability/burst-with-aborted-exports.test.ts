import { get, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { serve } from '@hono/node-server';
import { Agent, request } from 'undici';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { programWithMember } from '../support/fixtures.js';
import { createHarness, TEST_ADMIN_KEY, waitFor, type Harness } from '../support/hub-harness.js';
import { lifecycleBacklog } from '../../workflows/dispatch/lifecycle-dispatcher.js';

// Sized to run in well under a minute on a shared CI machine, yet big enough that every
// export is still streaming when its client goes away (the pool has 8 connections).
const BURST = 600;
const BURST_CONNECTIONS = 16;
const SEEDED_ROWS = 20_000;

let h: Harness;
let server: Server;
let base: string;
const agent = new Agent({ connections: 64, keepAliveTimeout: 1000 });
const auth = { authorization: `Bearer ${TEST_ADMIN_KEY}` };

beforeAll(async () => {
  h = await createHarness({ sweepMs: 300 });
  server = await new Promise<Server>((resolve) => {
    const s = serve({ fetch: h.app.fetch, port: 0, hostname: '127.0.0.1' }, () => resolve(s as Server));
  });
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  await agent.close();
  server?.closeAllConnections();
  await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
  await h?.close();
});

/** Backends of this test's database stuck mid-query waiting on the hub (the stall's signature). */
async function stuckBackends() {
  return h.db.sql<{ pid: number; state: string; wait_event: string | null; query: string }[]>`
    select pid, state, wait_event, left(query, 80) as query from pg_stat_activity
    where datname = current_database() and pid <> pg_backend_pid()
      and state = 'active' and wait_event in ('ClientRead', 'ClientWrite')`;
}

/** Starts an export, takes its first chunk, then drops the TCP connection mid-stream. */
function abortedExport(fields: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const req = get(`${base}/api/v1/exports/referrals.csv?fields=${fields}`, { headers: auth, agent: false }, (res) => {
      if (res.statusCode !== 200) {
        res.resume();
        reject(new Error(`export answered ${res.statusCode}`));
        return;
      }
      res.once('data', () => {
        req.destroy();
        resolve();
      });
      res.once('end', () => reject(new Error('the export ended before the client could drop it')));
    });
    req.on('error', (err) => {
      if (!req.destroyed) reject(err);
    });
    req.setTimeout(20_000, () => req.destroy(new Error('export: no answer within 20 s')));
  });
}

it('a conversion burst with concurrent readers and exports dropped mid-stream drains the lifecycle backlog and leaves no connection stuck', async () => {
  const { program, member } = await programWithMember(h, [
    { name: 'Referrer bonus', trigger: 'conversion', recipient: 'member', amount: { type: 'fixed', value: 5 }, kind: 'cash' },
  ]);
  // Rows for the exports to stream (not lifecycle events: only the burst below is dispatched).
  await h.db.sql`
    insert into referrals (id, program_id, member_id, email, first_name, custom_fields, created_at, updated_at)
    select 'ref_seed_' || g, ${program.id}, ${member.id}, 'seed-' || g || '@example.com', 'Seed ' || g, '{"plan": "pro"}', now() - interval '1 day', now() - interval '1 day'
    from generate_series(1, ${SEEDED_ROWS}) g`;

  let burstDone = false;
  const failures: string[] = [];
  const loop = async (what: string, body: () => Promise<void>) => {
    // A failure ends the loop: one clear reason instead of the same error in a tight loop.
    while (!burstDone) {
      try {
        await body();
      } catch (err) {
        failures.push(`${what}: ${String(err)}`);
        return;
      }
    }
  };
  const readers = Array.from({ length: 4 }, () =>
    loop('reader', async () => {
      const res = await request(`${base}/api/v1/rewards?limit=50`, {
        headers: auth,
        dispatcher: agent,
        headersTimeout: 20_000,
        bodyTimeout: 20_000,
      });
      expect(res.statusCode).toBe(200);
      await res.body.json();
    }),
  );
  // Both export paths: plain columns (PostgreSQL's COPY) and a nested field (a cursor + the mapping engine).
  const exporters = [
    loop('copy export', () => abortedExport('email,firstName,status')),
    loop('copy export', () => abortedExport('email,firstName,status')),
    loop('cursor export', () => abortedExport('email,customFields.plan')),
    loop('cursor export', () => abortedExport('email,customFields.plan')),
  ];

  let next = 0;
  const created: string[] = [];
  await Promise.all(
    Array.from({ length: BURST_CONNECTIONS }, async () => {
      for (let i = next++; i < BURST; i = next++) {
        const res = await request(`${base}/api/v1/conversions`, {
          method: 'POST',
          dispatcher: agent,
          headersTimeout: 20_000,
          bodyTimeout: 20_000,
          headers: { ...auth, 'content-type': 'application/json' },
          body: JSON.stringify({ programId: program.id, referralCode: member.referralCode, email: `burst-${i}@example.com` }),
        });
        const body = (await res.body.json()) as { id: string };
        expect(res.statusCode, JSON.stringify(body)).toBe(201);
        created.push(body.id);
      }
    }),
  );
  burstDone = true;
  await Promise.all([...readers, ...exporters]);
  expect(failures).toEqual([]);
  expect(created).toHaveLength(BURST);

  // The dispatcher keeps moving its cursor (never still for long while events wait) until the
  // backlog is empty. The backlog's size is no measure of that: each conversion's reward is
  // approved at once and its payout adds an event of its own, so the worker refills the backlog
  // while the dispatcher drains it.
  const cursor = async () =>
    (await h.db.sql<{ at: string }[]>`select txid::text || '/' || seq as at from dispatch_cursors where name = 'referral-lifecycle'`)[0]
      ?.at;
  let count = (await lifecycleBacklog(h.db.sql)).count;
  let at = await cursor();
  let movedAt = Date.now();
  while (count > 0) {
    await new Promise((r) => setTimeout(r, 200));
    count = (await lifecycleBacklog(h.db.sql)).count;
    const now = await cursor();
    if (now !== at) {
      at = now;
      movedAt = Date.now();
    }
    expect(Date.now() - movedAt, `dispatch cursor still at ${at} with ${count} events waiting`).toBeLessThan(15_000);
  }

  // Every export's query ended with its client: nothing is left mid-query on the database.
  await waitFor(async () => (await stuckBackends()).length === 0, 10_000, 'no backend left active/ClientRead or ClientWrite').catch(
    async (err) => {
      throw new Error(`${String(err)}: ${JSON.stringify(await stuckBackends())}`);
    },
  );
  // And the pool still answers at once.
  const started = Date.now();
  const res = await request(`${base}/api/v1/rewards?limit=1`, { headers: auth, dispatcher: agent, headersTimeout: 5000 });
  expect(res.statusCode).toBe(200);
  await res.body.json();
  expect(Date.now() - started).toBeLessThan(2000);
}, 180_000);
