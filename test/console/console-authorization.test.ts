import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHarness, type Harness } from '../support/hub-harness.js';
import { startLocalReceiver, type LocalReceiver } from '../support/start-local-receiver.js';
import { startSmtpTestServer, type SmtpTestServer } from '../support/smtp-test-server.js';
import { createProgramFixtures } from '../support/program-fixtures.js';
import type { Fixture } from '../security/authorization-routes.js';
import { ConsoleClient, signedInAs } from '../support/console-client.js';
import { createUserService } from '../../hub/console/user-service.js';

/**
 * Generated from the console's own route table: every /ui route, for a signed-out browser, a
 * viewer, and users limited to program A, against programs A and B. A route added to the console
 * joins this test by existing; a route with a path parameter this file cannot fill fails it.
 */
let h: Harness;
let receiver: LocalReceiver;
let smtp: SmtpTestServer;
let A: Fixture;
let B: Fixture;
let fx: ReturnType<typeof createProgramFixtures>;
let inboundRequestOf: Record<'A' | 'B', string>;
let userOf: Record<'A' | 'B', string>;

beforeAll(async () => {
  h = await createHarness();
  receiver = await startLocalReceiver(() => ({ status: 204 }));
  smtp = await startSmtpTestServer();
  fx = createProgramFixtures(h, receiver, smtp);
  A = await fx.buildProgram('A');
  B = await fx.buildProgram('B');
  const inbound = async (f: Fixture) =>
    (await h.db.sql<{ id: string }[]>`select id from inbound_requests where connector_id = ${f.inboundConnectorId} limit 1`)[0]!.id;
  inboundRequestOf = { A: await inbound(A), B: await inbound(B) };
  const users = createUserService(h.db.db);
  const userIn = async (f: Fixture) => (await users.create({ email: `user@${f.tag}.test`, role: 'editor', programIds: [f.programId] })).id;
  userOf = { A: await userIn(A), B: await userIn(B) };
}, 240_000);

afterAll(async () => {
  await receiver?.close();
  await smtp?.close();
  await h?.close();
});

/** Every console route as the app registered it: [method, path with :params]. */
function consoleRoutes(): [string, string][] {
  const seen = new Set<string>();
  const out: [string, string][] = [];
  for (const r of h.app.routes) {
    if (!r.path.startsWith('/ui') || r.path.startsWith('/ui/assets') || r.path.includes('*')) continue;
    if (r.method !== 'GET' && r.method !== 'POST') continue;
    const key = `${r.method} ${r.path}`;
    if (seen.has(key)) continue;
    seen.add(key);
    out.push([r.method, r.path]);
  }
  return out;
}

/** The route's path for one program's objects; each `:param` by the resource it follows. */
function concrete(path: string, f: Fixture): string {
  const segments = path.split('/');
  return segments
    .map((segment, i) => {
      if (!segment.startsWith(':')) return segment;
      const param = segment.slice(1).replace(/\{.*\}$/, '');
      const resource = segments[i - 1];
      const byParam: Record<string, string> = {
        runId: f.runId,
        deliveryId: f.deliveryId,
        recoveryId: f.recoveryId,
        kind: 'webhook',
      };
      const byResource: Record<string, string> = {
        programs: f.programId,
        members: f.memberId,
        referrals: f.referralId,
        rewards: f.rewardIds[0],
        payouts: f.payoutIds[0],
        connectors: f.connectorId,
        deliveries: f.deliveryId,
        schedules: f.scheduleId,
        runs: f.runId,
        'api-keys': f.apiKeyId,
        inbound: inboundRequestOf[f.label],
        users: userOf[f.label],
      };
      const value = byParam[param] ?? (param === 'id' && resource ? byResource[resource] : undefined);
      if (!value) throw new Error(`console-authorization: no fixture for :${param} in ${path}; add one`);
      return value;
    })
    .join('/');
}

describe('console authorization, generated from its routes', () => {
  it('has routes to check', () => {
    expect(consoleRoutes().length).toBeGreaterThan(3);
  });

  it('sends a signed-out browser to /login from every route, and changes nothing', async () => {
    const before = await fx.snapshotOf(A);
    const client = new ConsoleClient(h);
    for (const [method, path] of consoleRoutes()) {
      const res = await client.request(method, concrete(path, A), method === 'POST' ? { form: {} } : {});
      expect(res.status, `${method} ${path}`).toBe(303);
      expect(res.headers.get('location'), `${method} ${path}`).toMatch(/^\/login/);
    }
    expect(await fx.snapshotOf(A)).toEqual(before);
  });

  it('answers a viewer 403 on every change, even on its own program', async () => {
    const { client } = await signedInAs(h, 'viewer');
    const before = await fx.snapshotOf(A);
    for (const [, path] of consoleRoutes().filter(([m]) => m === 'POST')) {
      const res = await client.post(concrete(path, A));
      expect(res.status, `POST ${path}`).toBe(403);
    }
    expect(await fx.snapshotOf(A)).toEqual(before);
  });

  for (const role of ['editor', 'admin'] as const) {
    it(`never shows program B to an ${role} limited to program A, and changes nothing of B`, async () => {
      const { client } = await signedInAs(h, role, { programIds: [A.programId] });
      const before = await fx.snapshotOf(B);
      const { ids, always } = fx.markersOf(B, { connectorId: 'none', scheduleId: 'none' });
      const markers = [...ids.filter((id) => id !== 'none'), ...always];
      // Reads first: a change's flash message repeats the id that was posted, which is no leak.
      const routes = consoleRoutes().sort(([a], [b]) => (a === b ? 0 : a === 'GET' ? -1 : 1));
      for (const [method, path] of routes) {
        if (method === 'GET') {
          for (const [url, echoed] of [
            [concrete(path, B), ''],
            // A filter naming program B: the page may repeat the id typed, nothing more.
            [`${concrete(path, A)}?programId=${B.programId}`, B.programId],
          ] as const) {
            const res = await client.get(url);
            expect(res.status, `GET ${url}`).toBeLessThan(500);
            if (res.status < 300) {
              const leaked = markers.filter((m) => m !== echoed && res.text.includes(m));
              expect(leaked, `GET ${url} showed program B`).toEqual([]);
            }
          }
        } else {
          const res = await client.post(concrete(path, B), { programId: B.programId });
          expect(res.status, `POST ${path}`).toBeLessThan(500);
        }
      }
      expect(await fx.snapshotOf(B)).toEqual(before);
    });
  }
});
