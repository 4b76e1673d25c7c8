import { afterAll, beforeAll, expect, it } from 'vitest';
import { programWithMember } from '../support/fixtures.js';
import { createHarness, type Harness } from '../support/hub-harness.js';

let h: Harness;
beforeAll(async () => {
  h = await createHarness({ worker: false });
});
afterAll(async () => {
  await h?.close();
});

it('GET /r/:code records a click, sets cookies and redirects with ref', async () => {
  const { program, member } = await programWithMember(h, []);
  const res = await h.app.request(`/r/${member.referralCode.toLowerCase()}`, { headers: { 'user-agent': 'test-browser' } });
  expect(res.status).toBe(302);
  const location = new URL(res.headers.get('location')!);
  expect(location.origin + location.pathname).toBe('https://acme.example/welcome');
  expect(location.searchParams.get('ref')).toBe(member.referralCode);
  const cookies = res.headers.getSetCookie();
  const visitor = /rh_vid=([^;]+)/.exec(cookies.join(';'))![1]!;
  expect(cookies.join(';')).toContain(`rh_ref=${member.referralCode}`);
  const [click] = await h.db.sql`select * from clicks where member_id = ${member.id}`;
  expect(click).toMatchObject({ visitor_id: visitor, user_agent: 'test-browser', program_id: program.id });

  // The visitor converts later, attributed by visitor id alone.
  const conv = await h.call('POST', '/api/v1/conversions', { programId: program.id, visitorId: visitor, email: 'from-click@example.com' });
  expect(conv.status).toBe(201);
  expect(conv.body.memberId).toBe(member.id);
});

it('an unknown code still redirects (no attribution), never 500', async () => {
  await programWithMember(h, []);
  const res = await h.app.request('/r/NOSUCHCODE');
  expect(res.status).toBe(302);
  expect(new URL(res.headers.get('location')!).searchParams.get('ref')).toBeNull();
  const long = await h.app.request(`/r/${'x'.repeat(5000)}`);
  expect(long.status).toBe(302);
});

it('/healthz, /readyz, /metrics', async () => {
  expect((await h.app.request('/healthz')).status).toBe(200);
  const ready = await h.app.request('/readyz');
  expect(ready.status).toBe(200);
  // The backlog may hold this file's last conversion for a moment: its size is not the point here.
  const readiness = await ready.json();
  expect(readiness).toMatchObject({
    status: 'ready',
    checks: { database: true, temporal: true },
    dispatch: { stalled: false, paused: false },
    reasons: [],
  });
  expect(Object.keys(readiness.dispatch).sort()).toEqual(['backlog', 'oldestEventSeconds', 'paused', 'stalled']);
  await h.call('GET', '/api/v1/programs');
  const metrics = await (await h.app.request('/metrics')).text();
  expect(metrics).toMatch(/referral_hub_http_requests_total\{method="GET",route="\/api\/v1\/programs",status="200"\} \d+/);
  expect(metrics).toContain('referral_hub_dispatch_lag_seconds');
  expect(metrics).toMatch(/^referral_hub_dispatcher_stalled 0$/m);
  expect(metrics).toContain('referral_hub_http_request_duration_seconds_bucket');

  // Connector outcomes: a failing connector shows up by kind and status.
  const con = await h.call('POST', '/api/v1/connectors', {
    kind: 'webhook',
    name: 'm',
    settings: { url: 'https://crm.example/hook' },
    secrets: { signingSecret: `whsec_${Buffer.alloc(32, 7).toString('base64')}` },
    enabled: false,
  });
  expect(con.status, JSON.stringify(con.body)).toBe(201);
  await h.db.sql`update connectors set status = 'failing' where id = ${con.body.id}`;
  const after = await (await h.app.request('/metrics')).text();
  expect(after).toMatch(/referral_hub_connectors\{kind="webhook",status="failing"\} 1/);
  expect(after).toContain('referral_hub_schedule_runs_24h');
});

it('/openapi.json documents every API route with the error envelope; /docs serves Swagger UI locally', async () => {
  const doc = await (await h.app.request('/openapi.json')).json();
  expect(doc.openapi).toBe('3.1.0');
  for (const path of [
    '/api/v1/programs',
    '/api/v1/members',
    '/api/v1/conversions',
    '/api/v1/referrals/{id}',
    '/api/v1/events',
    '/api/v1/rewards/{id}/approve',
    '/api/v1/api-keys',
  ]) {
    expect(Object.keys(doc.paths)).toContain(path);
  }
  expect(doc.components.schemas.Error).toBeDefined();
  expect(doc.paths['/api/v1/conversions'].post.responses['422']).toBeDefined();
  const docs = await h.app.request('/docs');
  expect(await docs.text()).toContain('/docs/assets/swagger-ui-bundle.js');
  const asset = await h.app.request('/docs/assets/swagger-ui-bundle.js');
  expect(asset.status).toBe(200);
  expect((await h.app.request('/docs/assets/..%2F..%2Fpackage.json')).status).toBe(404);
});
