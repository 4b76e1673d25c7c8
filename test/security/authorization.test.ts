import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startLocalReceiver, type LocalReceiver } from '../support/start-local-receiver.js';
import { createHarness, type Harness } from '../support/hub-harness.js';
import { startSmtpTestServer, type SmtpTestServer } from '../support/smtp-test-server.js';
import { createProgramFixtures } from '../support/program-fixtures.js';
import { authorizationRoutes, PUBLIC_ROUTES, type Fixture } from './authorization-routes.js';

/**
 * Generated from /openapi.json: every route × every principal, against two programs A and B.
 * A key limited to program A must never receive program B's objects, emails, inbound URLs,
 * secrets or keys, and must change nothing of B. A route without an entry in
 * authorization-routes.ts fails this test, so a new route cannot skip the check.
 */
let h: Harness;
let receiver: LocalReceiver;
let smtp: SmtpTestServer;
let seq = 0;
const unique = (p: string) => `${p}-${Date.now().toString(36)}${(seq++).toString(36)}`;

interface Principal {
  name: string;
  header?: string;
  limitedToA: boolean;
}
let fixtures: { A: Fixture; B: Fixture; global: { connectorId: string; scheduleId: string } };
let principals: Principal[];

let admin: ReturnType<typeof createProgramFixtures>['admin'];
let makeKey: ReturnType<typeof createProgramFixtures>['makeKey'];
let buildProgram: ReturnType<typeof createProgramFixtures>['buildProgram'];
let markersOf: ReturnType<typeof createProgramFixtures>['markersOf'];
let snapshotOf: ReturnType<typeof createProgramFixtures>['snapshotOf'];

beforeAll(async () => {
  h = await createHarness();
  receiver = await startLocalReceiver(() => ({ status: 204 }));
  smtp = await startSmtpTestServer();
  ({ admin, makeKey, buildProgram, markersOf, snapshotOf } = createProgramFixtures(h, receiver, smtp));
  const A = await buildProgram('A');
  const B = await buildProgram('B');
  const globalConnector = await admin('POST', '/api/v1/connectors', {
    kind: 'email',
    name: 'Every program',
    settings: { host: '127.0.0.1', port: smtp.port, from: 'hub@global.test', to: ['ops@global.test'], caCertificate: smtp.caPem },
    secrets: {},
    programIds: [],
  });
  const globalSchedule = await admin('POST', '/api/v1/schedules', {
    name: 'Every program',
    connectorId: globalConnector.id,
    programIds: [],
    every: '24h',
    format: 'csv',
    fileName: 'all-{runId}.csv',
    fields: [{ target: 'email', source: 'referral.email' }],
    paused: true,
  });
  fixtures = { A, B, global: { connectorId: globalConnector.id, scheduleId: globalSchedule.id } };

  const revoked = await makeKey(['admin'], []);
  await admin('DELETE', `/api/v1/api-keys/${revoked.id}`);
  principals = [
    { name: 'no key', limitedToA: false },
    { name: 'malformed key', header: 'Bearer not-a-key', limitedToA: false },
    { name: 'revoked key', header: `Bearer ${revoked.key}`, limitedToA: false },
  ];
  for (const scope of ['track', 'read', 'write', 'admin']) {
    principals.push({ name: `${scope} key`, header: `Bearer ${(await makeKey([scope], [])).key}`, limitedToA: false });
    principals.push({
      name: `${scope} key limited to A`,
      header: `Bearer ${(await makeKey([scope], [A.programId])).key}`,
      limitedToA: true,
    });
  }
}, 180_000);

afterAll(async () => {
  await receiver?.close();
  await smtp?.close();
  await h?.close();
});

async function send(principal: Principal | undefined, method: string, path: string, body?: unknown) {
  const headers: Record<string, string> = {};
  if (principal?.header) headers.authorization = principal.header;
  if (body !== undefined) headers['content-type'] = 'application/json';
  const res = await h.app.request(path, {
    method: method.toUpperCase(),
    headers,
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return { status: res.status, text: await res.text() };
}

async function openApiOperations(): Promise<{ method: string; path: string }[]> {
  const res = await h.app.request('/openapi.json');
  const doc = (await res.json()) as { paths: Record<string, Record<string, unknown>> };
  return Object.entries(doc.paths).flatMap(([path, ops]) => Object.keys(ops).map((method) => ({ method, path })));
}

describe('program isolation across every route', () => {
  it('every route in /openapi.json has an authorization entry (new routes must add one)', async () => {
    const routes = authorizationRoutes();
    const missing = (await openApiOperations())
      .map((op) => `${op.method} ${op.path}`)
      .filter((key) => !routes.has(key) && !PUBLIC_ROUTES.includes(key));
    expect(missing, 'add these routes to test/security/authorization-routes.ts').toEqual([]);
  });

  it('a program-A key reaches its own program through every route (the fixtures are valid requests)', async () => {
    const adminOfA = principals.find((p) => p.name === 'admin key limited to A')!;
    const routes = authorizationRoutes();
    for (const op of await openApiOperations()) {
      const route = routes.get(`${op.method} ${op.path}`);
      if (!route || route.ownProgram === 'not-allowed' || op.method === 'delete') continue;
      const res = await send(adminOfA, op.method, route.path(fixtures.A), route.body?.(fixtures.A, fixtures.A));
      expect([401, 403, 404, 422], `${op.method} ${op.path} → ${res.status} ${res.text.slice(0, 300)}`).not.toContain(res.status);
      expect(res.status, `${op.method} ${op.path}`).toBeLessThan(500);
    }
  }, 120_000);

  it('no principal without a valid key gets past authentication', async () => {
    for (const principal of principals.filter((p) => ['no key', 'malformed key', 'revoked key'].includes(p.name))) {
      for (const op of await openApiOperations()) {
        if (PUBLIC_ROUTES.includes(`${op.method} ${op.path}`)) continue;
        const route = authorizationRoutes().get(`${op.method} ${op.path}`)!;
        const res = await send(principal, op.method, route.path(fixtures.B), route.body?.(fixtures.B, fixtures.B));
        expect(res.status, `${principal.name}: ${op.method} ${op.path}`).toBe(401);
      }
    }
  }, 120_000);

  it('keys limited to program A never see or change anything of program B', async () => {
    const before = await snapshotOf(fixtures.B);
    const { ids, always } = markersOf(fixtures.B, fixtures.global);
    const routes = authorizationRoutes();
    const leaks: string[] = [];
    const serverErrors: string[] = [];
    let checked = 0;
    for (const principal of principals.filter((p) => p.limitedToA)) {
      for (const op of await openApiOperations()) {
        const route = routes.get(`${op.method} ${op.path}`);
        if (!route) continue;
        // B's ids in the path; B in the body on A's own objects; and the list and export variants.
        const attempts: [string, unknown][] = [[route.path(fixtures.B), route.body?.(fixtures.B, fixtures.B)]];
        if (route.body && op.method !== 'delete') attempts.push([route.path(fixtures.A), route.body(fixtures.A, fixtures.B)]);
        for (const query of route.queries?.(fixtures.B) ?? []) attempts.push([`${route.path(fixtures.B)}?${query}`, undefined]);
        for (const [path, body] of attempts) {
          const res = await send(principal, op.method, path, body);
          checked++;
          const where = `${principal.name}: ${op.method} ${path} → ${res.status}`;
          if (res.status >= 500) serverErrors.push(`${where} ${res.text.slice(0, 200)}`);
          const found = [...always, ...(res.status < 300 ? ids : [])].filter((marker) => res.text.includes(marker));
          if (found.length > 0) leaks.push(`${where} contains ${found.join(', ')}`);
        }
      }
    }
    expect(checked).toBeGreaterThan(200);
    expect(serverErrors).toEqual([]);
    expect(leaks).toEqual([]);
    expect(await snapshotOf(fixtures.B)).toEqual(before);
  }, 240_000);

  it('unlimited keys still reach program B (the sweep above is not vacuous)', async () => {
    const res = await h.call('GET', `/api/v1/connectors/${fixtures.B.connectorId}`);
    expect(res.status).toBe(200);
    const adminKey = principals.find((p) => p.name === 'admin key')!;
    const list = await send(adminKey, 'get', '/api/v1/schedules');
    expect(list.text).toContain(fixtures.B.scheduleId);
    expect(list.text).toContain(fixtures.global.scheduleId);
  });

  it('a program-A key deletes its own objects through every delete route', async () => {
    const adminOfA = principals.find((p) => p.name === 'admin key limited to A')!;
    const routes = authorizationRoutes();
    // Dependents first: a connector that a schedule delivers through cannot go before the schedule.
    const order = ['/api/v1/hooks', '/api/v1/schedules', '/api/v1/connectors', '/api/v1/members', '/api/v1/api-keys'];
    const deletes = (await openApiOperations())
      .filter((o) => o.method === 'delete')
      .sort((x, y) => order.findIndex((p) => x.path.startsWith(p)) - order.findIndex((p) => y.path.startsWith(p)));
    expect(deletes.length).toBe(order.length);
    for (const op of deletes) {
      const route = routes.get(`${op.method} ${op.path}`)!;
      const res = await send(adminOfA, op.method, route.path(fixtures.A));
      expect(res.status, `${op.path} ${res.text}`).toBe(204);
    }
  });
});

describe('publishable keys (the public tracking routes)', () => {
  const currentKey = async (f: Fixture) =>
    (await h.db.sql`select publishable_key from programs where id = ${f.programId}`)[0]!.publishable_key as string;
  const trackAs = (path: string, body: unknown, origin: string, authorization?: string) =>
    h.app.request(path, {
      method: 'POST',
      headers: { origin, 'content-type': 'text/plain', ...(authorization ? { authorization } : {}) },
      body: JSON.stringify(body),
    });

  it('a publishable key of program A records nothing in program B, whatever it names; secret keys of any principal are refused', async () => {
    for (const f of [fixtures.A, fixtures.B]) {
      await admin('PATCH', `/api/v1/programs/${f.programId}`, {
        share: { allowedHostnames: [`shop-${f.label.toLowerCase()}.example`], webConversions: true },
      });
    }
    const keyA = await currentKey(fixtures.A);
    const before = await snapshotOf(fixtures.B);
    const attempts: [string, unknown][] = [
      ['/api/v1/track/click', { key: keyA, code: fixtures.B.referralCode }],
      ['/api/v1/track/conversion', { key: keyA, code: fixtures.B.referralCode, email: `${unique('pk')}@${fixtures.A.tag}.test` }],
      ['/api/v1/track/conversion', { key: keyA, code: fixtures.B.referralCode, email: fixtures.B.referralEmail, orderId: 'o-1' }],
      [
        '/api/v1/track/conversion',
        { key: keyA, code: fixtures.B.referralCode, email: `x@${fixtures.A.tag}.test`, programId: fixtures.B.programId },
      ],
    ];
    for (const origin of ['https://shop-a.example', 'https://shop-b.example']) {
      for (const [path, body] of attempts) {
        const res = await trackAs(path, body, origin);
        const text = await res.text();
        expect([401, 403, 422], `${origin} ${path} ${JSON.stringify(body)} → ${res.status} ${text}`).toContain(res.status);
        for (const marker of markersOf(fixtures.B, fixtures.global).ids) expect(text).not.toContain(marker);
      }
    }
    // Every principal of the sweep, with B's own key in the body: a bearer credential is refused outright.
    const keyB = await currentKey(fixtures.B);
    for (const principal of principals.filter((p) => p.header)) {
      const res = await trackAs(
        '/api/v1/track/click',
        { key: keyB, code: fixtures.B.referralCode },
        'https://shop-b.example',
        principal.header,
      );
      expect(res.status, principal.name).toBe(403);
    }
    expect(await snapshotOf(fixtures.B)).toEqual(before);

    // Not vacuous: A's key records in A (A's fixture member was deleted above: a new one), and B's key in B.
    const memberOfA = await admin('POST', '/api/v1/members', {
      programId: fixtures.A.programId,
      email: `${unique('m')}@${fixtures.A.tag}.test`,
    });
    const own = await trackAs('/api/v1/track/click', { key: keyA, code: memberOfA.referralCode }, 'https://shop-a.example');
    expect(own.status).toBe(200);
    const inB = await trackAs('/api/v1/track/click', { key: keyB, code: fixtures.B.referralCode }, 'https://shop-b.example');
    expect(inB.status).toBe(200);
    expect(await snapshotOf(fixtures.B)).not.toEqual(before);
  });
});

describe('keys never mint broader keys', () => {
  it('a program-limited admin key creates keys only inside its programs', async () => {
    const limited = await makeKey(['admin'], [fixtures.A.programId]);
    const as = (body: unknown) =>
      h.app.request('/api/v1/api-keys', {
        method: 'POST',
        headers: { authorization: `Bearer ${limited.key}`, 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });
    expect((await as({ name: 'wider', scopes: ['admin'], programIds: [] })).status).toBe(403);
    expect((await as({ name: 'other', scopes: ['read'], programIds: [fixtures.B.programId] })).status).toBe(403);
    expect((await as({ name: 'mixed', scopes: ['read'], programIds: [fixtures.A.programId, fixtures.B.programId] })).status).toBe(403);
    const ok = await as({ name: 'narrower', scopes: ['read'], programIds: [fixtures.A.programId] });
    expect(ok.status).toBe(201);
  });
});

describe('idempotent replays keep no credential', () => {
  it('a replayed key creation answers without the key, and the stored answer holds none', async () => {
    const headers = { 'idempotency-key': unique('idem') };
    const body = { name: 'replayed', scopes: ['read'], programIds: [] };
    const first = await h.call('POST', '/api/v1/api-keys', body, headers);
    expect(first.status).toBe(201);
    expect(first.body.key).toMatch(/^rh_/);
    const replay = await h.call('POST', '/api/v1/api-keys', body, headers);
    expect(replay.status).toBe(201);
    expect(replay.headers.get('idempotent-replayed')).toBe('true');
    expect(replay.body.id).toBe(first.body.id);
    expect(replay.body).not.toHaveProperty('key');
    const stored = await h.db.sql`select response_body::text as body from idempotency_keys where key = ${headers['idempotency-key']}`;
    expect(stored[0]!.body).not.toContain(first.body.key);
  });

  it('a replayed inbound connector creation answers without its inbound URL', async () => {
    const headers = { 'idempotency-key': unique('idem') };
    const body = {
      kind: 'inbound',
      name: 'Replayed inbound',
      settings: { action: 'member', programId: fixtures.A.programId },
      secrets: {},
      mapping: [{ target: 'email', source: 'body.email' }],
    };
    const first = await h.call('POST', '/api/v1/connectors', body, headers);
    expect(first.status).toBe(201);
    const token = new URL(first.body.inboundUrl as string).pathname.split('/').pop()!;
    const replay = await h.call('POST', '/api/v1/connectors', body, headers);
    expect(replay.body.id).toBe(first.body.id);
    expect(replay.body).not.toHaveProperty('inboundUrl');
    const stored = await h.db.sql`select response_body::text as body from idempotency_keys where key = ${headers['idempotency-key']}`;
    expect(stored[0]!.body).not.toContain(token);
    // The connector itself still shows its URL to an admin, who can copy it again.
    expect((await h.call('GET', `/api/v1/connectors/${first.body.id}`)).body.inboundUrl).toContain(token);
  });
});
