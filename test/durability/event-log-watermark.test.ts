import { afterAll, beforeAll, expect, it } from 'vitest';
import { randomBytes } from 'node:crypto';
import type { TransactionSql } from 'postgres';
import { createDb, type DbHandle } from '../../schema/db.js';
import { readEventsSince, START_CURSOR, type EventCursor } from '../../schema/read-events.js';
import { createTestDatabase } from '../support/test-database.js';

let db: DbHandle;
beforeAll(async () => {
  db = createDb(await createTestDatabase(), { max: 20 });
});
afterAll(async () => {
  await db?.close();
});

const insertEvent = (tx: TransactionSql, id: string) =>
  tx`insert into events (id, type, subject_id, payload) values (${id}, 'test.event', ${id}, '{}'::jsonb)`;

it('a transaction that took an earlier sequence number but commits later is not skipped', async () => {
  let release!: () => void;
  const held = new Promise<void>((r) => {
    release = r;
  });
  let inserted!: () => void;
  const slowInserted = new Promise<void>((r) => {
    inserted = r;
  });
  const slow = db.sql.begin(async (tx) => {
    await insertEvent(tx, 'evt_slow');
    inserted();
    await held;
  });
  await slowInserted;
  await db.sql.begin((tx) => insertEvent(tx, 'evt_fast'));

  // While the slow writer is open, the reader must not move past it.
  const early = await readEventsSince(db.sql, START_CURSOR, { limit: 100 });
  expect(early.events.map((e) => e.id)).not.toContain('evt_fast');
  release();
  await slow;
  // Another test's open transaction may hold the cluster-wide horizon back for a moment.
  const late: string[] = [];
  let cursor = early.cursor;
  for (const deadline = Date.now() + 20_000; late.length < 2 && Date.now() < deadline;) {
    const page = await readEventsSince(db.sql, cursor, { limit: 100 });
    late.push(...page.events.map((e) => e.id));
    cursor = page.cursor;
    if (page.events.length === 0) await new Promise((r) => setTimeout(r, 20));
  }
  expect(late).toEqual(['evt_slow', 'evt_fast']);
});

const allSeen = (seen: string[], written: Set<string>) => {
  const ids = new Set(seen);
  for (const id of written) if (!ids.has(id)) return false;
  return true;
};

it('under concurrent writers the reader sees every committed row exactly once', async () => {
  const WRITERS = 12;
  const PER_WRITER = 40;
  const written = new Set<string>();
  let writing = true;

  const writer = async (w: number) => {
    for (let i = 0; i < PER_WRITER; i++) {
      const id = `evt_w${w}_${i}_${randomBytes(3).toString('hex')}`;
      const rollback = i % 9 === 4;
      await db.sql
        .begin(async (tx) => {
          await insertEvent(tx, id);
          // Hold some transactions open so later sequence numbers commit first.
          if (i % 3 === 0) await tx`select pg_sleep(${Math.random() * 0.03})`;
          if (rollback) throw new Error('rollback on purpose');
        })
        .then(
          () => written.add(id),
          (err) => {
            if (!rollback) throw err;
          },
        );
    }
  };

  const seen: string[] = [];
  let cursor: EventCursor = START_CURSOR;
  const reader = (async () => {
    while (writing) {
      const page = await readEventsSince(db.sql, cursor, { limit: 25 });
      seen.push(...page.events.map((e) => e.id));
      cursor = page.cursor;
      await new Promise((r) => setTimeout(r, 2));
    }
  })();
  await Promise.all(Array.from({ length: WRITERS }, (_, w) => writer(w)));
  writing = false;
  await reader;
  // The read horizon is cluster-wide: a transaction in another test's database holds it back
  // for a moment, so an empty page does not mean the log is drained. Wait until every committed
  // row has been seen; a row the reader skipped never shows up and the deadline ends the wait.
  const deadline = Date.now() + 20_000;
  while (Date.now() < deadline && !allSeen(seen, written)) {
    const page = await readEventsSince(db.sql, cursor, { limit: 500 });
    seen.push(...page.events.map((e) => e.id));
    cursor = page.cursor;
    if (page.events.length === 0) await new Promise((r) => setTimeout(r, 20));
  }

  const concurrent = seen.filter((id) => id.startsWith('evt_w'));
  expect(new Set(concurrent).size).toBe(concurrent.length); // never repeated
  expect(new Set(concurrent)).toEqual(written); // never skipped, never a rolled-back row
  expect(written.size).toBeGreaterThan(WRITERS * PER_WRITER * 0.85);
});

it('pages in transaction-id order when the ids cross a power of ten (99 → 100), not in digit order', async () => {
  // Transaction ids below the current one are safely below the read horizon; pick the largest
  // power of ten they cross, so '100' < '99' as strings but 99 < 100 as ids.
  const [current] = await db.sql<{ now: string }[]>`select pg_current_xact_id()::text as now`;
  const now = current!.now;
  const ten = 10n ** BigInt(String(BigInt(now) - 3n).length - 1);
  const ids = [ten - 2n, ten - 1n, ten, ten + 1n];
  for (const [i, txid] of ids.entries()) {
    await db.sql`insert into events (id, type, subject_id, payload, txid) values (${`evt_pow${i}`}, 'pow.event', ${`pow${i}`}, '{}'::jsonb, ${String(txid)}::xid8)`;
  }
  // Small pages, so a wrong order shows as a cursor that jumps over rows (or back onto them).
  const txids: string[] = [];
  let cursor: EventCursor = { txid: String(ten - 3n), seq: 0 };
  for (let page = 0; page < 1000; page++) {
    const read = await readEventsSince(db.sql, cursor, { limit: 2 });
    txids.push(...read.events.filter((e) => e.type === 'pow.event').map((e) => e.txid));
    cursor = read.cursor;
    if (!read.full) break;
  }
  expect(txids).toEqual(ids.map(String));
});
