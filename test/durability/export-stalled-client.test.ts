import { get, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { serve } from '@hono/node-server';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { programWithMember } from '../support/fixtures.js';
import { createHarness, TEST_ADMIN_KEY, waitFor, type Harness } from '../support/hub-harness.js';

// Far more than loopback socket buffers hold, so a client that stops reading really stalls the export.
const ROWS = 40_000;
const PAD = 600;

let h: Harness;
let server: Server;
let base: string;

beforeAll(async () => {
  h = await createHarness({ worker: false, exportIdleTimeoutMs: 1500 });
  server = await new Promise<Server>((resolve) => {
    const s = serve({ fetch: h.app.fetch, port: 0, hostname: '127.0.0.1' }, () => resolve(s as Server));
  });
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const { program, member } = await programWithMember(h, []);
  await h.db.sql`
    insert into referrals (id, program_id, member_id, email, first_name, custom_fields)
    select 'ref_pad_' || g, ${program.id}, ${member.id}, 'pad-' || g || '@example.com', repeat('x', ${PAD}), '{"plan": "pro"}'
    from generate_series(1, ${ROWS}) g`;
});
afterAll(async () => {
  server?.closeAllConnections();
  await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
  await h?.close();
});

/**
 * Backends of this test's database held mid-query by an export. pg_stat_activity keeps only
 * the first 1 kB of a query, and a compiled export's select list is longer than that: its
 * text starts with `copy (` instead.
 */
const exportBackends = () => h.db.sql<{ pid: number; wait_event: string | null }[]>`
  select pid, wait_event from pg_stat_activity
  where datname = current_database() and pid <> pg_backend_pid() and state = 'active' and (query like '%ref%' or query like 'copy (%')`;

/** Opens an export, takes the first chunk and then reads nothing more, keeping the connection open. */
function stalledExport(fields: string): Promise<{ resume: () => Promise<boolean> }> {
  return new Promise((resolve, reject) => {
    const req = get(
      `${base}/api/v1/exports/referrals.csv?fields=${fields}`,
      { headers: { authorization: `Bearer ${TEST_ADMIN_KEY}` }, agent: false },
      (res) => {
        if (res.statusCode !== 200) {
          reject(new Error(`export answered ${res.statusCode}`));
          return;
        }
        const closedEarly = new Promise<boolean>((done) => {
          res.once('end', () => done(false));
          res.once('close', () => done(!res.complete));
        });
        res.on('error', () => {}); // the cut is expected
        // Reading on later drains what the sockets still hold, then shows whether the body was cut.
        res.once('data', () => {
          res.pause();
          resolve({
            resume: () => {
              res.resume();
              return closedEarly;
            },
          });
        });
      },
    );
    req.on('error', () => {});
  });
}

it.each([
  ['the COPY path', 'email,firstName'],
  ['the compiled COPY path', 'email,firstName,customFields.plan'],
  // A whole record (the referrer as JSON) stays on the JavaScript path.
  ['the cursor path', 'email,firstName,member'],
])(
  'an export whose client stops reading is dropped and gives its connection back (%s)',
  async (_path, fields) => {
    const client = await stalledExport(fields);
    // While the client is stalled the export's query sits waiting on it...
    await waitFor(async () => (await exportBackends()).length > 0, 5000, 'the export query waiting on its client');
    // ...until the idle deadline drops the response, which ends the query.
    await waitFor(async () => (await exportBackends()).length === 0, 10_000, 'no export query left on the database');
    expect(await client.resume(), 'the body was cut short').toBe(true);
    const res = await h.call('GET', '/api/v1/rewards?limit=1');
    expect(res.status).toBe(200);
  },
  25_000,
);

it('a COPY export that fails mid-stream while its client is slow leaves a healthy connection behind', async () => {
  const client = await stalledExport('email,firstName');
  const [copying] = await waitFor(
    async () => {
      const b = await exportBackends();
      return b.length > 0 && b;
    },
    5000,
    'the export query waiting on its client',
  );
  // The server ends the COPY with an error while the hub's side of it is paused.
  await h.db.sql`select pg_cancel_backend(${copying!.pid})`;
  await waitFor(async () => (await exportBackends()).length === 0, 10_000, 'the failed export gone from the database');
  expect(await client.resume(), 'the body was cut short').toBe(true);
  // Every pooled connection answers (more queries than the pool has connections).
  const answers = await Promise.all(
    Array.from({ length: 12 }, () =>
      Promise.race([h.db.sql`select 1 as one`.then(() => 'answered'), new Promise((r) => setTimeout(r, 5000, 'no answer within 5 s'))]),
    ),
  );
  expect(answers).toEqual(Array(12).fill('answered'));
}, 60_000);
