import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { convert, programWithMember } from '../support/fixtures.js';
import { createHarness, type Harness } from '../support/hub-harness.js';

let h: Harness;
let programId: string;
beforeAll(async () => {
  h = await createHarness({ worker: false });
  const { program, member } = await programWithMember(h, []);
  programId = program.id;
  await convert(h, program.id, member.referralCode);
  await convert(h, program.id, member.referralCode);
});
afterAll(async () => {
  await h?.close();
});

const cursorOf = (key: unknown) => Buffer.from(JSON.stringify(key)).toString('base64url');
const SIGNING_SECRET = `whsec_${Buffer.alloc(32, 1).toString('base64')}`;

function expectValidationFailed(res: { status: number; body: any }, path?: string) {
  expect(res.status, JSON.stringify(res.body)).toBe(422);
  expect(res.body.error.code).toBe('validation_failed');
  if (path !== undefined) expect(res.body.error.details.map((d: { path: string }) => d.path)).toContain(path);
}

describe('cursors', () => {
  it('a cursor whose time is garbage, with updatedSince → 422 naming the cursor', async () => {
    for (const key of [
      ['garbage', 'ref_x'],
      ['', 'ref_x'],
      ['2024-13-45T99:99:99Z', 'ref_x'],
    ]) {
      expectValidationFailed(await h.call('GET', `/api/v1/referrals?updatedSince=2020-01-01T00:00:00Z&cursor=${cursorOf(key)}`), 'cursor');
    }
  });

  it('a cursor this API really returned still walks on', async () => {
    const first = await h.call('GET', `/api/v1/referrals?programId=${programId}&updatedSince=2020-01-01T00:00:00Z&limit=1`);
    expect(first.status).toBe(200);
    expect(first.body.nextCursor).toEqual(expect.any(String));
    const next = await h.call(
      'GET',
      `/api/v1/referrals?programId=${programId}&updatedSince=2020-01-01T00:00:00Z&limit=1&cursor=${first.body.nextCursor}`,
    );
    expect(next.status, JSON.stringify(next.body)).toBe(200);
    expect(next.body.data).toHaveLength(1);
    expect(next.body.data[0].id).not.toBe(first.body.data[0].id);
  });
});

describe('exports', () => {
  for (const fields of [undefined, 'email,customFields.plan']) {
    it(`a program id with a quote or NUL → 422, on the ${fields ? 'mapping' : 'COPY'} path`, async () => {
      for (const bad of ["x'; select pg_sleep(10); --", 'prg\u0000x', 'a"b']) {
        const q = new URLSearchParams({ programId: bad, ...(fields ? { fields } : {}) });
        expectValidationFailed(await h.call('GET', `/api/v1/exports/referrals.csv?${q}`), 'programId');
      }
      const ok = await h.call('GET', `/api/v1/exports/referrals.csv?${new URLSearchParams({ programId, ...(fields ? { fields } : {}) })}`);
      expect(ok.status).toBe(200);
      expect(String(ok.body).trim().split('\r\n')).toHaveLength(3); // the header and both referrals
    });
  }

  it('dates PostgreSQL cannot read (day 31 of February, year 0) → 422, not 500', async () => {
    for (const fields of [undefined, 'email,customFields.plan']) {
      for (const from of ['2024-02-31T00:00:00Z', '0000-01-01T00:00:00Z']) {
        const q = new URLSearchParams({ from, ...(fields ? { fields } : {}) });
        expectValidationFailed(await h.call('GET', `/api/v1/exports/referrals.csv?${q}`));
      }
    }
  });
});

describe('deeply nested bodies', () => {
  const deep = (levels: number) => `${'{"a":'.repeat(levels)}1${'}'.repeat(levels)}`;

  it('a body nested thousands of levels deep → 422 before it reaches validation or PostgreSQL', async () => {
    for (const levels of [40, 5000, 100_000]) {
      const body = `{"kind":"webhook","name":"deep","settings":{"url":"https://x.example","headers":${deep(levels)}}}`;
      const connector = await h.call('POST', '/api/v1/connectors', body);
      expectValidationFailed(connector);
      expect(connector.body.error.message).toBe('The request body is nested deeper than 32 levels');
      const member = `{"programId":"${programId}","email":"deep@example.com","customFields":${deep(levels)}}`;
      expect((await h.call('POST', '/api/v1/members', member)).body.error.message).toBe('The request body is nested deeper than 32 levels');
    }
    expect(await h.db.sql`select id from connectors where name = 'deep'`).toEqual([]);
  });

  it('nesting inside strings does not count, and ordinary depth is accepted', async () => {
    const res = await h.call('POST', '/api/v1/members', {
      programId,
      email: 'brackets@example.com',
      firstName: '"[[[[{{{{\\"'.repeat(8),
      customFields: { note: '{"['.repeat(600) },
    });
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    // 32 levels exactly is still read (and refused only by the schema, for its own reasons).
    const atLimit = await h.call(
      'POST',
      '/api/v1/members',
      `{"programId":"${programId}","email":"limit@example.com","customFields":${deep(31)}}`,
    );
    expectValidationFailed(atLimit, 'customFields.a');
  });
});

describe('connector settings are strict', () => {
  const kinds: [string, Record<string, unknown>, Record<string, unknown>][] = [
    ['webhook', { url: 'https://hooks.example/in' }, { signingSecret: SIGNING_SECRET }],
    ['zapier', { targetUrl: 'https://hooks.zapier.com/hooks/standard/1/abc' }, {}],
    ['hubspot', {}, { accessToken: 'pat-na1-123' }],
    ['mailchimp', { listId: 'abc123' }, { apiKey: 'abcdef0123456789-us19' }],
    ['sftp', { host: 'files.example', username: 'u', directory: '/in' }, { password: 'p' }],
  ];
  for (const [kind, settings, secrets] of kinds) {
    it(`${kind}: an unknown settings or secrets key → 422 naming the key, and nothing is stored`, async () => {
      const before = await h.db.sql`select count(*)::int as count from connectors`;
      const badSettings = await h.call('POST', '/api/v1/connectors', {
        kind,
        name: `strict ${kind}`,
        settings: { ...settings, urll: 'typo' },
        secrets,
      });
      expectValidationFailed(badSettings, 'settings.urll');
      const badSecrets = await h.call('POST', '/api/v1/connectors', {
        kind,
        name: `strict ${kind}`,
        settings,
        secrets: { ...secrets, tokn: 'typo' },
      });
      expectValidationFailed(badSecrets, 'secrets.tokn');
      expect(await h.db.sql`select count(*)::int as count from connectors`).toEqual(before);
      const good = await h.call('POST', '/api/v1/connectors', { kind, name: `strict ${kind}`, settings, secrets });
      expect(good.status, JSON.stringify(good.body)).toBe(201);
      const patched = await h.call('PATCH', `/api/v1/connectors/${good.body.id}`, { settings: { ...settings, extra: true } });
      expectValidationFailed(patched, 'settings.extra');
      expect((await h.call('GET', `/api/v1/connectors/${good.body.id}`)).body.settings).toEqual(settings);
    });
  }
});
