import { afterAll, beforeAll, expect, it } from 'vitest';
import { lfToCrlf } from '../../connectors/csv/lf-to-crlf.js';
import type { CsvDelimiter } from '../../connectors/csv/csv-writer.js';
import { recordNeeds } from '../../connectors/csv/record-needs.js';
import { createRecordCsv } from '../../connectors/csv/render-records.js';
import { mappingSchema, type MappingEntry, type MappingEntryInput } from '../../connectors/mapping/mapping-entry-schema.js';
import { copyRecords } from '../../schema/copy-records.js';
import { createDb, type DbHandle } from '../../schema/db.js';
import { RECORD_ROOT, streamRecords, type RecordFilter, type Resource } from '../../schema/record-queries.js';
import { recordSqlMapping } from '../../workflows/activities/record-sql-mapping.js';
import { createTestDatabase } from '../support/test-database.js';

/**
 * The key guard of compiled exports: for every mapping feature SQL compiles, the file PostgreSQL
 * writes must be byte for byte the file the JavaScript mapping path writes, over rows chosen to
 * break it (NULLs, Unicode, delimiters, quotes and line breaks, formula starts, number layouts,
 * missing or odd custom fields, timestamps at DST changes, in a session that is not in UTC).
 */
let db: DbHandle;
const filter: RecordFilter = { kind: 'time', from: '1970-01-01T00:00:00Z', to: '2100-01-01T00:00:00Z', programIds: ['prg_eq'] };

const CUSTOM: unknown[] = [
  { plan: 'pro', n: 1, flag: true, when: '2024-03-10T02:30:00-05:00' },
  { plan: 'Ünïcødé ✓ 🎉', n: 1.5, flag: false, nested: { a: [1, 'x, "y": \\ z'], 'k, "q": ': 'tab\there\u0001' } },
  { plan: 'a,b', n: 1.0, flag: 'TRUE ', list: ['gold', 2, true, null] },
  { plan: 'say "hi"\nthere\r\nend', n: 0.1, flag: ' false', list: [] },
  { plan: '=SUM(A1)', n: -12.5, flag: 'yes' },
  { plan: '+15551234', n: 1e-7, flag: null },
  { plan: '-1e3', n: 1e21, flag: 0 },
  { plan: '@x', n: 123456789012345680000, deep: { x: { y: 'z' } } },
  '{"plan": "\\tTab", "n": 12345678901234567890}',
  { plan: '', n: -0 },
  { plan: null, n: 0.000123 },
  { plan: 7, n: '42' },
  { plan: true, n: '1.50' },
  { plan: { x: 1 }, n: 1e300 },
  { plan: ['a', 'b'], n: 5e-324 },
  {},
  { plan: 'gold', n: 1234567890123456 },
  { plan: 'silver', n: 100 },
  { plan: 'toString', n: 0.30000000000000004 },
  { plan: '  ', n: 2.5e-5 },
  // As clients post them: number layouts JSON.stringify would never write.
  '{"plan": "raw", "n": 1.0, "list": [1.50, "gold"]}',
  '{"n": 1E2, "flag": "True"}',
  '{"n": -0.0, "plan": "pro"}',
  '{"n": 1e400}',
  '{"n": -1e-400}',
  '{"n": 0.1e-6}',
];
const TEXTS = [
  null,
  '',
  'Ann',
  'Ann, "the" Great\nSecond line',
  'Zoë 🎉 日本',
  '=HYPERLINK("x")',
  '-12.50',
  '+1 555',
  '@home',
  '\tx',
  '\r',
  '"',
  ';',
  '|',
  "O'Brien",
  'a\\b',
];
const AMOUNTS = [null, '10.5', '0.0001', '12345678901234.5678', '-3', '0', '99999999999999.9999', '1.005'];
const TIMES = [
  '2024-03-10T06:59:59.999Z',
  '2024-03-10T07:00:00.000Z',
  '2024-03-31T00:59:59.999Z',
  '2024-03-31T01:00:00Z',
  '2024-10-27T00:59:59.9995Z',
  '2024-11-03T05:30:00.123456Z',
  '2000-02-29T23:59:59Z',
  '1999-12-31T23:59:59.999999Z',
];

const custom = (value: unknown) => (typeof value === 'string' ? value : JSON.stringify(value));

beforeAll(async () => {
  const url = await createTestDatabase();
  const setup = createDb(url, { max: 1 });
  const name = new URL(url).pathname.slice(1);
  // Neither path may depend on the session's zone: run both in one with DST.
  await setup.sql.unsafe(`alter database ${name} set timezone to 'America/New_York'`);
  await setup.close();
  db = createDb(url, { max: 4 });
  await db.sql`insert into programs (id, slug, name, landing_url) values ('prg_eq', 'eq', 'Eq', 'https://eq.example')`;
  await db.sql`insert into members (id, program_id, email, first_name, last_name, referral_code, external_id)
    values ('mem_eq', 'prg_eq', 'ref@eq.example', 'Zoë, "M"', null, 'EQCODE', '=ext')`;
  for (let i = 0; i < 80; i++) {
    const text = (k: number) => TEXTS[(i + k) % TEXTS.length] ?? null;
    await db.sql`insert into referrals (id, program_id, member_id, email, first_name, last_name, phone, status, source, amount, custom_fields, created_at)
      values (${`ref_${String(i).padStart(3, '0')}`}, 'prg_eq', 'mem_eq', ${`f${i}@eq.example`}, ${text(0)}, ${text(3)}, ${text(7)},
        ${['pending', 'converted', 'rejected'][i % 3]!}, ${text(5) ?? 'web'}, ${AMOUNTS[i % AMOUNTS.length] ?? null},
        ${custom(CUSTOM[i % CUSTOM.length])}::jsonb, ${TIMES[i % TIMES.length]!})`;
  }
});
afterAll(async () => {
  await db?.close();
});

async function jsPath(resource: Resource, fields: MappingEntry[], delimiter: CsvDelimiter): Promise<string> {
  const root = RECORD_ROOT[resource];
  const csv = createRecordCsv(fields, root, { delimiter });
  let text = csv.header;
  for await (const batch of streamRecords(db.sql, resource, filter, recordNeeds(fields, root))) text += csv.lines(batch);
  return text;
}

async function sqlPath(resource: Resource, fields: MappingEntry[], delimiter: CsvDelimiter): Promise<string> {
  const compiled = recordSqlMapping(resource, fields);
  if ('fallback' in compiled) throw new Error(`not compiled: ${compiled.fallback}`);
  const copy = await copyRecords(db.sql, resource, { filter, cells: compiled.cells, member: compiled.member, delimiter });
  const body = copy.stream.pipe(lfToCrlf());
  body.push(createRecordCsv(fields, RECORD_ROOT[resource], { delimiter }).header);
  const chunks: Buffer[] = [];
  for await (const chunk of body) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

const mapping = (entries: MappingEntryInput[]) => mappingSchema.parse(entries) as MappingEntry[];

const MAPPINGS: Record<string, MappingEntry[]> = {
  'plain columns, member fields, numbers and timestamps': mapping([
    { target: 'id', source: 'referral.id' },
    { target: 'email', source: 'referral.email' },
    { target: 'first', source: 'referral.firstName' },
    { target: 'last', source: 'referral.lastName' },
    { target: 'phone', source: 'referral.phone' },
    { target: 'amount', source: 'referral.amount' },
    { target: 'created', source: 'referral.createdAt' },
    { target: 'member', source: 'member.firstName' },
    { target: 'memberExt', source: 'member.externalId' },
    { target: 'nobody', source: 'member.customFields.x' },
    { target: 'program', source: 'program.name' },
    { target: 'flags', source: 'referral.fraudFlags' },
    { target: 'below text', source: 'referral.email.length' },
  ]),
  'nested custom fields of every JSON type': mapping([
    { target: 'id', source: 'referral.id' },
    { target: 'plan', source: 'referral.customFields.plan' },
    { target: 'n', source: 'referral.customFields.n' },
    { target: 'flag', source: 'referral.customFields.flag' },
    { target: 'list0', source: 'referral.customFields.list.0' },
    { target: 'list.length', source: 'referral.customFields.list.length' },
    { target: 'deep', source: 'referral.customFields.deep.x.y' },
    { target: 'nested', source: 'referral.customFields.nested.a.1' },
    { target: 'nested whole', source: 'referral.customFields.nested' },
    { target: 'all custom fields', source: 'referral.customFields' },
  ]),
  'value maps, noMatch, empty, date formats and templates': mapping([
    { target: 'id', source: 'referral.id' },
    {
      target: 'tier',
      source: 'referral.customFields.plan',
      valueMap: { pro: 'Professional', gold: 1, silver: true, '7': 'seven', true: 'yes!', toString: '=bad' },
      noMatch: 'other',
    },
    { target: 'tier2', source: 'referral.customFields.plan', valueMap: { pro: '', 'a,b': null }, empty: 'n/a' },
    { target: 'status', source: 'referral.status', valueMap: { pending: 'P', converted: 'C' } },
    {
      target: 'num key',
      source: 'referral.customFields.n',
      valueMap: { '1': 'one', '1.5': 'one and a half', '1e-7': 'tiny', '42': 'answer' },
    },
    { target: 'day', source: 'referral.createdAt', format: 'date:yyyy-MM-dd' },
    { target: 'stamp', source: 'referral.createdAt', format: "date:dd/MM/yyyy HH:mm:ss.SSS 'at' 'UTC''s' \"'x'\\" },
    { target: 'lead', source: 'referral.createdAt', format: "date:'='yyyy" },
    {
      target: 'greeting',
      template: 'Hi {{referral.firstName}} {{ referral.customFields.plan }} #{{referral.customFields.n}}/{{member.email}}',
    },
    { target: 'const', constant: '-5 apples' },
    { target: 'const num', constant: -5 },
    { target: 'const bool', constant: false },
  ]),
  'conditions and boolean formats': mapping([
    { target: 'id', source: 'referral.id' },
    { target: 'if pro', source: 'referral.email', when: { source: 'referral.customFields.plan', equals: 'pro' }, empty: '-' },
    { target: 'if n=1', source: 'referral.customFields.n', when: { source: 'referral.customFields.n', equals: 1 } },
    { target: 'if n="42"', constant: 'yes', when: { source: 'referral.customFields.n', equals: 42 } },
    { target: 'if flag', constant: 'flagged', when: { source: 'referral.customFields.flag', equals: true }, empty: 'no' },
    { target: 'if null', constant: 'none', when: { source: 'referral.customFields.plan', equals: null } },
    { target: 'has plan', constant: 1, when: { source: 'referral.customFields.plan', exists: true } },
    { target: 'no phone', constant: 'x', when: { source: 'referral.phone', exists: false } },
    { target: 'gold list', constant: 'g', when: { source: 'referral.customFields.list', contains: 'gold' } },
    { target: 'two list', constant: 't', when: { source: 'referral.customFields.list', contains: 2 } },
    { target: 'a in plan', source: 'referral.customFields.plan', when: { source: 'referral.customFields.plan', contains: 'a' } },
    { target: 'amount=10.5', source: 'referral.amount', when: { source: 'referral.amount', equals: '10.5' } },
    { target: 'flag yes/no', source: 'referral.customFields.flag', format: 'boolean:Yes/No' },
    { target: 'text bool', source: 'referral.customFields.plan', format: 'boolean:=T/' },
    { target: 'status bool', source: 'referral.status', format: 'boolean:1/0' },
  ]),
};

for (const [name, fields] of Object.entries(MAPPINGS)) {
  it(`compiled COPY writes the same bytes as the JavaScript path: ${name}`, async () => {
    for (const delimiter of [',', ';', '\t'] as CsvDelimiter[]) {
      const expected = await jsPath('referrals', fields, delimiter);
      expect(expected.split('\r\n').length).toBeGreaterThan(60);
      expect(await sqlPath('referrals', fields, delimiter)).toBe(expected);
    }
  });
}

it('says which entries stay on the JavaScript path', () => {
  const fallback = (entries: MappingEntryInput[]) => {
    const compiled = recordSqlMapping('referrals', mapping([{ target: 'id', source: 'referral.id' }, ...entries]));
    return 'fallback' in compiled ? compiled.fallback : 'compiled';
  };
  expect(fallback([{ target: 'a', source: 'referral.amount', format: 'number:2' }])).toMatch(/number:2/);
  expect(fallback([{ target: 'a', source: 'referral.email', case: 'upper' }])).toMatch(/case "upper"/);
  expect(fallback([{ target: 'a', source: 'referral.customFields.when', format: 'date:yyyy' }])).toMatch(/not a record timestamp/);
  expect(fallback([{ target: 'a', source: 'referral' }])).toMatch(/whole record/);
  expect(fallback([{ target: 'a', source: 'referral.customFields.list.-1' }])).toMatch(/index/);
  expect(fallback([{ target: 'a', source: 'referral.amount', case: 'upper' }])).toBe('compiled');
  expect('fallback' in recordSqlMapping('referrals', mapping([{ target: 'id', source: 'referral.id' }]))).toBe(true);
});
