import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pruneIdempotencyKeys } from '../../hub/http/idempotency.js';
import { programWithMember } from '../support/fixtures.js';
import { createHarness, type Harness } from '../support/hub-harness.js';

let h: Harness;
let programId: string;
let referralCode: string;
beforeAll(async () => {
  h = await createHarness({ worker: false });
  const { program, member } = await programWithMember(h, []);
  programId = program.id;
  referralCode = member.referralCode;
});
afterAll(async () => {
  await h?.close();
});

const expectEnvelope = (res: { status: number; body: any }, status: number, code: string) => {
  expect(res.status, JSON.stringify(res.body)).toBe(status);
  expect(res.body.error.code).toBe(code);
  expect(typeof res.body.error.message).toBe('string');
  expect(JSON.stringify(res.body)).not.toMatch(/at \w+ \(|node_modules|postgres|drizzle/i);
};

describe('malformed and hostile bodies', () => {
  it('bad JSON → 400 malformed_json', async () => {
    expectEnvelope(await h.call('POST', '/api/v1/members', '{"programId": "x", '), 400, 'malformed_json');
  });

  it('wrong types → 422 with details per field', async () => {
    const res = await h.call('POST', '/api/v1/members', { programId: 42, email: ['a@b.c'], customFields: 'nope' });
    expectEnvelope(res, 422, 'validation_failed');
    const paths = res.body.error.details.map((d: any) => d.path);
    expect(paths).toEqual(expect.arrayContaining(['programId', 'email', 'customFields']));
  });

  it('unknown fields → 422', async () => {
    expectEnvelope(await h.call('POST', '/api/v1/members', { programId, email: 'x@example.com', isAdmin: true }), 422, 'validation_failed');
  });

  it('a 3 MB body → 413 payload_too_large', async () => {
    const huge = { programId, email: 'big@example.com', customFields: { blob: 'x'.repeat(3 * 1024 * 1024) } };
    expectEnvelope(await h.call('POST', '/api/v1/members', huge), 413, 'payload_too_large');
  });

  it('over a real HTTP server: a declared 3 MB body and a chunked one → 413; a small chunked body is read normally', async () => {
    const { serve } = await import('@hono/node-server');
    const { request } = await import('node:http');
    const server = await new Promise<ReturnType<typeof serve>>((resolve) => {
      const s = serve({ fetch: h.app.fetch, port: 0, hostname: '127.0.0.1' }, () => resolve(s));
    });
    const { port } = server.address() as { port: number };
    // Raw node:http so the test chooses the framing: Content-Length, or chunked with no length.
    const post = (chunks: string[], declareLength: boolean) =>
      new Promise<{ status: number; body: any }>((resolve, reject) => {
        const total = chunks.reduce((n, c) => n + Buffer.byteLength(c), 0);
        const req = request(
          {
            agent: false, // a fresh connection each: the server may close one after refusing a body
            host: '127.0.0.1',
            port,
            method: 'POST',
            path: '/api/v1/members',
            headers: {
              authorization: 'Bearer rh_test_bootstrap_key_0123456789abcdef',
              'content-type': 'application/json',
              ...(declareLength ? { 'content-length': total } : {}),
            },
          },
          (res) => {
            let text = '';
            res
              .setEncoding('utf8')
              .on('data', (d) => {
                text += d;
              })
              .on('end', () => resolve({ status: res.statusCode!, body: JSON.parse(text) }));
          },
        );
        // A server may answer 413 and close before taking the rest of the body.
        req.on('error', (err: NodeJS.ErrnoException) => (err.code === 'EPIPE' || err.code === 'ECONNRESET' ? undefined : reject(err)));
        for (const c of chunks) req.write(c);
        req.end();
      });
    try {
      const blob = 'x'.repeat(3 * 1024 * 1024);
      const huge = [`{"programId": "${programId}", "email": "big@example.com", "customFields": {"blob": "`, blob, '"}}'];
      expectEnvelope(await post(huge, true), 413, 'payload_too_large');
      expectEnvelope(await post(huge, false), 413, 'payload_too_large');
      const small = await post([`{"programId": "${programId}", `, '"email": "chunked@example.com"}'], false);
      expect(small.status, JSON.stringify(small.body)).toBe(201);
      expect(small.body.email).toBe('chunked@example.com');
    } finally {
      await new Promise((resolve) => server.close(resolve));
    }
  });

  it('a body that is not JSON at all → 4xx, never 500', async () => {
    const res = await h.call('POST', '/api/v1/conversions', 'programId=1&email=a', { 'content-type': 'application/x-www-form-urlencoded' });
    expectEnvelope(res, 400, 'malformed_json');
  });

  it('SQL-like strings are stored as plain data', async () => {
    const evil = "x'); drop table referrals; --";
    const res = await h.call('POST', '/api/v1/conversions', {
      programId,
      referralCode,
      email: 'sql@example.com',
      firstName: evil,
      customFields: { note: evil },
      orderId: "1' OR '1'='1",
    });
    expect(res.status).toBe(201);
    expect(res.body.firstName).toBe(evil);
    const list = await h.call('GET', `/api/v1/referrals?programId=${programId}&email=${encodeURIComponent("' OR 1=1 --")}`);
    expect(list.status).toBe(200);
    expect(list.body.data).toHaveLength(0);
    expectEnvelope(await h.call('GET', `/api/v1/referrals/${encodeURIComponent("ref_1' OR '1'='1")}`), 404, 'not_found');
  });

  it('NUL bytes and other unstorable text → 422, not 500', async () => {
    expectEnvelope(
      await h.call('POST', '/api/v1/conversions', { programId, referralCode, email: 'nul@example.com', firstName: 'a\u0000b' }),
      422,
      'validation_failed',
    );
  });

  it('huge numbers and bad dates → 422', async () => {
    expectEnvelope(
      await h.call('POST', '/api/v1/events', { programId, referral: { email: 'sql@example.com' }, type: 'purchase', amount: 1e300 }),
      422,
      'validation_failed',
    );
    expectEnvelope(
      await h.call('POST', '/api/v1/events', {
        programId,
        referral: { email: 'sql@example.com' },
        type: 'purchase',
        occurredAt: 'yesterday',
      }),
      422,
      'validation_failed',
    );
    expectEnvelope(await h.call('GET', '/api/v1/referrals?limit=100000'), 422, 'validation_failed');
    expectEnvelope(await h.call('GET', '/api/v1/referrals?cursor=not-a-cursor'), 422, 'validation_failed');
  });

  it('unknown ids → 404', async () => {
    expectEnvelope(await h.call('GET', '/api/v1/members/mem_doesnotexist'), 404, 'not_found');
    expectEnvelope(await h.call('PATCH', '/api/v1/referrals/ref_nope', { status: 'qualified' }), 404, 'not_found');
    expectEnvelope(await h.call('POST', '/api/v1/rewards/rwd_nope/approve'), 404, 'not_found');
    expectEnvelope(await h.call('POST', '/api/v1/members', { programId: 'prg_nope', email: 'a@example.com' }), 404, 'not_found');
    expectEnvelope(
      await h.call('POST', '/api/v1/events', { programId, referral: { email: 'nobody@example.com' }, type: 'purchase' }),
      404,
      'not_found',
    );
    expectEnvelope(await h.call('GET', '/api/v1/no-such-route'), 404, 'not_found');
  });

  it('an unknown referral code → 422 naming the field', async () => {
    const res = await h.call('POST', '/api/v1/conversions', { programId, referralCode: 'NOPE99', email: 'c@example.com' });
    expectEnvelope(res, 422, 'validation_failed');
    expect(res.body.error.details[0].path).toBe('referralCode');
  });
});

describe('self-referral and fraud flags', () => {
  it('same email as the member → 422 self_referral', async () => {
    const { program, member } = await programWithMember(h, []);
    expectEnvelope(
      await h.call('POST', '/api/v1/conversions', {
        programId: program.id,
        referralCode: member.referralCode,
        email: member.email.toUpperCase(),
      }),
      422,
      'self_referral',
    );
  });

  it("the member's own visitor id → 422 self_referral", async () => {
    const { program } = await programWithMember(h, []);
    const m = await h.call('POST', '/api/v1/members', {
      programId: program.id,
      email: 'vid-owner@example.com',
      visitorId: 'visitor-abc-123',
    });
    expectEnvelope(
      await h.call('POST', '/api/v1/conversions', {
        programId: program.id,
        memberId: m.body.id,
        visitorId: 'visitor-abc-123',
        email: 'other@example.com',
      }),
      422,
      'self_referral',
    );
  });

  it('flags a same-company domain and a second referrer trying the same email', async () => {
    const { program, member } = await programWithMember(h, []);
    const other = await h.call('POST', '/api/v1/members', { programId: program.id, email: 'zed@example.com', firstName: 'Zed' });
    const first = await h.call('POST', '/api/v1/conversions', {
      programId: program.id,
      referralCode: member.referralCode,
      email: 'colleague@acme-partners.test',
    });
    expect(first.body.fraudFlags).toContain('same_email_domain');
    const second = await h.call('POST', '/api/v1/conversions', {
      programId: program.id,
      referralCode: other.body.referralCode,
      email: 'colleague@acme-partners.test',
    });
    expect(second.status).toBe(200);
    expect(second.body.memberId).toBe(member.id);
    expect(second.body.fraudFlags).toEqual(['same_email_domain', 'duplicate_attempt']);
  });
});

describe('Idempotency-Key', () => {
  it('same key and body replays the first answer; another body → 409', async () => {
    const body = { programId, email: 'idem@example.com', firstName: 'Ida' };
    const a = await h.call('POST', '/api/v1/members', body, { 'idempotency-key': 'k-1' });
    const b = await h.call('POST', '/api/v1/members', body, { 'idempotency-key': 'k-1' });
    expect(a.status).toBe(201);
    expect(b.status).toBe(201);
    expect(b.body).toEqual(a.body);
    expect(b.headers.get('idempotent-replayed')).toBe('true');
    expectEnvelope(
      await h.call('POST', '/api/v1/members', { ...body, firstName: 'Other' }, { 'idempotency-key': 'k-1' }),
      409,
      'idempotency_conflict',
    );
  });

  it('a key is kept 24 hours: then it answers anew and the hourly prune deletes it', async () => {
    const missing = { programId: 'prg_notyet', email: 'later@example.com' };
    expectEnvelope(await h.call('POST', '/api/v1/members', missing, { 'idempotency-key': 'k-old' }), 404, 'not_found');
    expectEnvelope(await h.call('POST', '/api/v1/members', missing, { 'idempotency-key': 'k-old' }), 404, 'not_found'); // replayed
    const fresh = { programId, email: 'fresh@example.com' };
    expect((await h.call('POST', '/api/v1/members', fresh, { 'idempotency-key': 'k-fresh' })).status).toBe(201);
    await h.db.sql`update idempotency_keys set created_at = now() - interval '25 hours' where key = 'k-old'`;
    // Past retention the same key is a new request: another body is no conflict, and it runs.
    const later = await h.call('POST', '/api/v1/members', { programId, email: 'later@example.com' }, { 'idempotency-key': 'k-old' });
    expect(later.status, JSON.stringify(later.body)).toBe(201);
    expect(later.headers.get('idempotent-replayed')).toBeNull();
    await h.db.sql`update idempotency_keys set created_at = now() - interval '25 hours' where key = 'k-old'`;
    expect(await pruneIdempotencyKeys(h.db.sql)).toBe(1);
    const left = await h.db.sql<{ key: string }[]>`select key from idempotency_keys where key in ('k-old', 'k-fresh')`;
    expect(left.map((r) => r.key)).toEqual(['k-fresh']);
  });

  it('concurrent retries with one key create one member', async () => {
    const body = { programId, email: 'race@example.com' };
    const results = await Promise.all([1, 2, 3, 4, 5].map(() => h.call('POST', '/api/v1/members', body, { 'idempotency-key': 'race-1' })));
    expect(results.every((r) => r.status === 201 || r.status === 409)).toBe(true);
    const ids = new Set(results.filter((r) => r.status === 201).map((r) => r.body.id));
    expect(ids.size).toBe(1);
    const [row] = await h.db.sql`select count(*)::int as n from members where lower(email) = 'race@example.com'`;
    expect(row!.n).toBe(1);
  });
});

describe('API keys and scopes', () => {
  const as = (key: string, method: string, path: string, body?: unknown) => h.call(method, path, body, { authorization: `Bearer ${key}` });

  it('missing, malformed and wrong keys → 401', async () => {
    const noAuth = await h.app.request('/api/v1/programs');
    expect(noAuth.status).toBe(401);
    expect((await noAuth.json()).error.code).toBe('unauthorized');
    expectEnvelope(await h.call('GET', '/api/v1/programs', undefined, { authorization: 'Basic abc' }), 401, 'unauthorized');
    expectEnvelope(await as('rh_not_a_real_key', 'GET', '/api/v1/programs'), 401, 'unauthorized');
  });

  it('keys are shown once, stored hashed, scoped, program-limited and revocable', async () => {
    const created = await h.call('POST', '/api/v1/api-keys', { name: 'tracker', scopes: ['track'], programIds: [programId] });
    expect(created.status).toBe(201);
    const key: string = created.body.key;
    const [row] = await h.db.sql`select hash, prefix from api_keys where id = ${created.body.id}`;
    expect(row!.hash).not.toContain(key);
    expect(JSON.stringify(await h.call('GET', '/api/v1/api-keys'))).not.toContain(key);

    expect((await as(key, 'GET', '/api/v1/me')).body.apiKey.scopes).toEqual(['track']);
    // track may convert in its program…
    expect((await as(key, 'POST', '/api/v1/conversions', { programId, referralCode, email: 'scoped@example.com' })).status).toBe(201);
    // …but not read, not administer, not touch another program.
    expectEnvelope(await as(key, 'GET', '/api/v1/referrals'), 403, 'forbidden');
    expectEnvelope(
      await as(key, 'POST', '/api/v1/programs', { name: 'x', slug: 'x-x', landingUrl: 'https://x.example' }),
      403,
      'forbidden',
    );
    const other = await programWithMember(h, []);
    expectEnvelope(
      await as(key, 'POST', '/api/v1/conversions', {
        programId: other.program.id,
        referralCode: other.member.referralCode,
        email: 'x@example.com',
      }),
      403,
      'forbidden',
    );

    const reader = await h.call('POST', '/api/v1/api-keys', { name: 'reader', scopes: ['read'], programIds: [programId] });
    const listed = await as(reader.body.key, 'GET', '/api/v1/referrals');
    expect(listed.status).toBe(200);
    expect(listed.body.data.every((r: any) => r.programId === programId)).toBe(true);
    expectEnvelope(await as(reader.body.key, 'GET', `/api/v1/programs/${other.program.id}`), 404, 'not_found');

    expect((await h.call('DELETE', `/api/v1/api-keys/${created.body.id}`)).status).toBe(204);
    expectEnvelope(await as(key, 'GET', '/api/v1/me'), 401, 'unauthorized');
  });

  it('a mis-scoped key is refused before its body is validated', async () => {
    const reader = await h.call('POST', '/api/v1/api-keys', { name: 'r', scopes: ['read'] });
    expectEnvelope(await as(reader.body.key, 'POST', '/api/v1/members', { nonsense: true }), 403, 'forbidden');
  });
});

describe('pagination', () => {
  it('walks every referral exactly once with limit and cursor', async () => {
    const { program, member } = await programWithMember(h, []);
    const emails = Array.from({ length: 7 }, (_, i) => `page-${i}@example.com`);
    for (const email of emails)
      await h.call('POST', '/api/v1/conversions', { programId: program.id, referralCode: member.referralCode, email });
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const res: any = await h.call('GET', `/api/v1/referrals?programId=${program.id}&limit=3${cursor ? `&cursor=${cursor}` : ''}`);
      seen.push(...res.body.data.map((r: any) => r.email));
      cursor = res.body.nextCursor;
    } while (cursor);
    expect(seen.sort()).toEqual([...emails].sort());

    const since = await h.call(
      'GET',
      `/api/v1/referrals?programId=${program.id}&limit=4&updatedSince=${encodeURIComponent(new Date(0).toISOString())}`,
    );
    expect(since.body.data).toHaveLength(4);
    const rest = await h.call(
      'GET',
      `/api/v1/referrals?programId=${program.id}&limit=4&updatedSince=${encodeURIComponent(new Date(0).toISOString())}&cursor=${since.body.nextCursor}`,
    );
    expect(new Set([...since.body.data, ...rest.body.data].map((r: any) => r.id)).size).toBe(7);
  });
});
