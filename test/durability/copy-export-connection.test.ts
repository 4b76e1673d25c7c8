import { Readable } from 'node:stream';
import { afterAll, beforeAll, beforeEach, expect, it } from 'vitest';
import { copyExport } from '../../schema/copy-export.js';
import { createDb, type DbHandle } from '../../schema/db.js';
import { createTestDatabase } from '../support/test-database.js';

let url: string;
// Each case gets a pool of one connection, so the query after an export runs on the connection the export used.
let db: DbHandle;
const pools: DbHandle[] = [];
// A COPY a bit larger than a stream's buffer: it all arrives while nobody reads, so the driver
// pauses its socket in the same socket read that brings the COPY's end.
const ROW = 'x'.repeat(60);
const ROWS = Math.ceil((1.5 * new Readable().readableHighWaterMark) / (ROW.length + 30));

beforeAll(async () => {
  url = await createTestDatabase();
  db = createDb(url, { max: 1 });
  pools.push(db);
  await db.sql`insert into programs (id, slug, name, landing_url, currency) values ('prg_1', 'p', 'P', 'https://p.example', 'USD')`;
  await db.sql`insert into members (id, program_id, email, referral_code) values ('mem_1', 'prg_1', 'm@p.example', 'CODE1')`;
  await db.sql`
    insert into referrals (id, program_id, member_id, email, first_name)
    select 'ref_' || g, 'prg_1', 'mem_1', 'friend-' || g || '@example.com', ${ROW} from generate_series(1, ${ROWS}) g`;
});
beforeEach(() => {
  db = createDb(url, { max: 1 });
  pools.push(db);
});
afterAll(async () => {
  await Promise.all(pools.map((p) => p.close()));
});

const exportAll = () =>
  copyExport(db.sql, 'referrals', {
    fields: ['email', 'firstName'],
    from: new Date(0),
    to: new Date(Date.now() + 60_000),
    programIds: [],
    delimiter: ',',
  });

/** 'answered', or 'no answer' when a query on the (only) connection hangs. */
const nextQuery = () =>
  Promise.race([db.sql`select 1 as one`.then(() => 'answered'), new Promise((r) => setTimeout(r, 3000, 'no answer').unref())]);

it('a COPY export read to its end leaves its connection answering, even when its last rows arrived while the reader was behind', async () => {
  for (let round = 0; round < 3; round++) {
    const copy = await exportAll();
    await new Promise((r) => setTimeout(r, 150)); // the whole COPY arrives while nobody reads
    let lines = 0;
    copy.stream.on('data', (chunk: Buffer) => (lines += chunk.toString().split('\n').length - 1));
    await new Promise((r) => copy.stream.once('end', r));
    expect(lines).toBe(ROWS + 1);
    expect(await nextQuery(), `round ${round}`).toBe('answered');
  }
});

it('a COPY export dropped after everything arrived leaves its connection answering', async () => {
  const copy = await exportAll();
  await new Promise((r) => setTimeout(r, 150));
  copy.release();
  await new Promise((r) => setTimeout(r, 100));
  expect(await nextQuery()).toBe('answered');
});
