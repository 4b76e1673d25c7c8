import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startLocalReceiver, type LocalReceiver } from '../support/start-local-receiver.js';
import { convert, programWithMember } from '../support/fixtures.js';
import { createHarness, waitFor, type Harness } from '../support/hub-harness.js';

const SECRET = `whsec_${randomBytes(32).toString('base64')}`;
const TOKEN = 'ledger-credential-0123456789';
const BACKOFF_MS = [1000, 1500, 2000];
const DISABLE_AFTER = 3;

let h: Harness;
let receiver: LocalReceiver;
beforeAll(async () => {
  h = await createHarness({ syncBackoffMs: BACKOFF_MS, syncDisableAfter: DISABLE_AFTER });
  receiver = await startLocalReceiver();
});
afterAll(async () => {
  await h?.close();
  await receiver?.close();
});

/** A webhook connector for a fresh program, with its own path on the shared receiver. */
async function webhookConnector() {
  const { program, member } = await programWithMember(h, []);
  const path = `/${randomBytes(6).toString('hex')}`;
  const res = await h.call('POST', '/api/v1/connectors', {
    kind: 'webhook',
    name: 'Ledger',
    settings: { url: `${receiver.url}${path}` },
    secrets: { signingSecret: SECRET, headers: { Authorization: `Bearer ${TOKEN}` } },
    events: ['referral.created'],
    programIds: [program.id],
  });
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  const requests = () => receiver.requests.filter((r) => r.path === path);
  return { connector: res.body, program, member, path, requests };
}

type Reply = LocalReceiver['reply'];
/** Answers requests to `path` with `reply`, every other path as before. */
function answer(path: string, reply: Reply) {
  const previous = receiver.reply;
  receiver.reply = (req) => (req.path === path ? reply(req) : previous(req));
}

const deliveriesOf = async (connectorId: string) => {
  const res = await h.call('GET', `/api/v1/connectors/${connectorId}/deliveries?limit=200`);
  expect(res.status).toBe(200);
  return res.body.data;
};
const attemptsOf = async (deliveryId: string) => {
  const res = await h.call('GET', `/api/v1/deliveries/${deliveryId}/attempts`);
  expect(res.status, JSON.stringify(res.body)).toBe(200);
  return res.body.data;
};
const connectorOf = async (id: string) => (await h.call('GET', `/api/v1/connectors/${id}`)).body;

describe('delivery ledger', () => {
  it('shows the failed attempt (HTTP 500, its answer, secrets blanked) and the retry that succeeded', async () => {
    const { connector, program, member, path, requests } = await webhookConnector();
    let calls = 0;
    // The receiver quotes the credential it was sent: the ledger must not keep it.
    answer(path, (req) =>
      ++calls === 1
        ? { status: 500, body: `upstream down (auth ${req.headers.authorization})` }
        : { status: 200, body: '{"received":true}' },
    );
    await convert(h, program.id, member.referralCode);

    const delivery = await waitFor(
      async () => (await deliveriesOf(connector.id)).find((d: any) => d.status === 'succeeded'),
      20_000,
      'the delivery to succeed',
    );
    expect(requests()).toHaveLength(2);
    expect(delivery).toMatchObject({ attempts: 2, nextAttemptAt: null, responseCode: 200, lastError: null });
    expect(Date.parse(delivery.lastAttemptAt)).toBeGreaterThan(Date.parse(delivery.createdAt));

    const attempts = await attemptsOf(delivery.id);
    expect(attempts.map((a: any) => a.attempt)).toEqual([2, 1]); // newest first
    const [second, first] = attempts;
    expect(first).toMatchObject({
      deliveryId: delivery.id,
      connectorId: connector.id,
      outcome: 'failed',
      httpStatus: 500,
      errorKind: 'transient',
      trigger: 'scheduled',
    });
    expect(first.responseExcerpt).toBe('upstream down (auth [redacted])');
    expect(first.errorMessage).toMatch(/HTTP 500/);
    expect(JSON.stringify(attempts)).not.toContain(TOKEN);
    expect(second).toMatchObject({
      outcome: 'succeeded',
      httpStatus: 200,
      responseExcerpt: '{"received":true}',
      errorKind: null,
      trigger: 'scheduled',
    });
    expect(first.durationMs).toBeGreaterThanOrEqual(0);
    // The retry waited out the backoff (jittered by up to 20%): the conversion's other events
    // arriving meanwhile did not cut it short.
    expect(Date.parse(second.startedAt) - Date.parse(first.startedAt)).toBeGreaterThanOrEqual(BACKOFF_MS[0]! * 0.8);

    // A retry asked for through the API is the third attempt, marked as such.
    expect((await h.call('POST', `/api/v1/deliveries/${delivery.id}/retry`)).status).toBe(202);
    const third = await waitFor(async () => (await attemptsOf(delivery.id)).find((a: any) => a.attempt === 3), 20_000, 'the third attempt');
    expect(third).toMatchObject({ outcome: 'succeeded', trigger: 'retry', httpStatus: 200 });
    expect((await deliveriesOf(connector.id))[0]).toMatchObject({ id: delivery.id, attempts: 3, status: 'succeeded' });
  });

  it("a transiently failing delivery has a row from its first attempt, with the next attempt's time while it retries", async () => {
    const { connector, program, member, path, requests } = await webhookConnector();
    let up = false;
    answer(path, () => (up ? { status: 204 } : { status: 503, body: 'maintenance' }));
    await convert(h, program.id, member.referralCode);

    const retrying = await waitFor(
      async () => (await deliveriesOf(connector.id)).find((d: any) => d.status === 'retrying' && d.nextAttemptAt),
      20_000,
      'a retrying row with its next attempt',
    );
    expect(Date.parse(retrying.nextAttemptAt)).toBeGreaterThan(Date.parse(retrying.lastAttemptAt));
    expect(retrying.attempts).toBeGreaterThanOrEqual(1);
    expect(retrying.responseCode).toBe(503);
    expect(retrying.lastError).toMatch(/503/);
    const [failed] = await attemptsOf(retrying.id);
    expect(failed).toMatchObject({ outcome: 'failed', httpStatus: 503, responseExcerpt: 'maintenance' });

    up = true;
    const done = await waitFor(
      async () => (await deliveriesOf(connector.id)).find((d: any) => d.status === 'succeeded'),
      20_000,
      'the retry to get through',
    );
    expect(done.nextAttemptAt).toBeNull();
    expect(done.attempts).toBe(requests().length);
    const attempts = await attemptsOf(done.id);
    expect(attempts).toHaveLength(requests().length);
    expect(attempts[0]).toMatchObject({ outcome: 'succeeded', httpStatus: 204 });
    expect(attempts.slice(1).every((a: any) => a.outcome === 'failed' && a.httpStatus === 503)).toBe(true);
  });

  it(`disables a connector after ${DISABLE_AFTER} failed attempts, stops sending, and PATCH enabled:true resumes`, async () => {
    const { connector, program, member, path, requests } = await webhookConnector();
    let up = false;
    answer(path, () => (up ? { status: 200 } : { status: 500 }));
    await convert(h, program.id, member.referralCode);

    const disabled = await waitFor(
      async () => {
        const c = await connectorOf(connector.id);
        return c.status === 'disabled' ? c : undefined;
      },
      30_000,
      'the connector disabled',
    );
    expect(disabled.enabled).toBe(false);
    expect(disabled.statusReason).toMatch(new RegExp(`disabled after ${DISABLE_AFTER} failed attempts: .*HTTP 500`));
    expect(requests()).toHaveLength(DISABLE_AFTER);
    const [failed] = await waitFor(
      async () => {
        const d = await deliveriesOf(connector.id);
        return d[0]?.status === 'failed' ? d : undefined;
      },
      10_000,
      'the delivery failed',
    );
    expect(failed).toMatchObject({ attempts: DISABLE_AFTER, nextAttemptAt: null });

    // Nothing more goes out: not the failed event after the longest backoff, not a new one, not
    // after an edit that wakes the sync while the connector stays off.
    await convert(h, program.id, member.referralCode);
    expect((await h.call('PATCH', `/api/v1/connectors/${connector.id}`, { name: 'Renamed while off' })).body).toMatchObject({
      enabled: false,
      status: 'disabled',
    });
    await new Promise((r) => setTimeout(r, BACKOFF_MS.at(-1)! * 1.5));
    expect(requests()).toHaveLength(DISABLE_AFTER);

    up = true;
    const patched = await h.call('PATCH', `/api/v1/connectors/${connector.id}`, { enabled: true });
    expect(patched.body).toMatchObject({ enabled: true, status: 'active', statusReason: null });
    const both = await waitFor(
      async () => {
        const d = await deliveriesOf(connector.id);
        return d.length === 2 && d.every((x: any) => x.status === 'succeeded') ? d : undefined;
      },
      20_000,
      'both delivered after re-enabling',
    );
    expect(both.map((d: any) => d.attempts).sort()).toEqual([1, DISABLE_AFTER + 1]);
    expect((await connectorOf(connector.id)).status).toBe('active');
  });

  it('recover re-sends the failed and dead deliveries since a time as one workflow with visible progress', async () => {
    const { connector, program, member, path, requests } = await webhookConnector();
    let refuse = true;
    answer(path, () => (refuse ? { status: 422, body: 'unknown plan' } : { status: 200 }));
    const since = new Date(Date.now() - 1000).toISOString();
    await convert(h, program.id, member.referralCode);
    await convert(h, program.id, member.referralCode);
    const dead = await waitFor(
      async () => {
        const d = await deliveriesOf(connector.id);
        return d.length === 2 && d.every((x: any) => x.status === 'dead') ? d : undefined;
      },
      20_000,
      'two dead deliveries',
    );

    // Held off while disabled, so the recovery is certainly still running for the second click.
    expect((await h.call('PATCH', `/api/v1/connectors/${connector.id}`, { enabled: false })).status).toBe(200);
    refuse = false;
    const started = await h.call('POST', `/api/v1/connectors/${connector.id}/recover`, { since });
    expect(started.status, JSON.stringify(started.body)).toBe(202);
    expect(started.body).toEqual({ recoveryId: expect.stringMatching(/^rcv_/), queued: 2 });
    const again = await h.call('POST', `/api/v1/connectors/${connector.id}/recover`, { since });
    expect(again.status).toBe(202);
    expect(again.body.recoveryId).toBe(started.body.recoveryId);

    const progressUrl = `/api/v1/connectors/${connector.id}/recoveries/${started.body.recoveryId}`;
    const waiting = await waitFor(
      async () => {
        const r = (await h.call('GET', progressUrl)).body;
        return r.queued === 2 ? r : undefined;
      },
      10_000,
      'the recovery queued',
    );
    expect(waiting).toMatchObject({ status: 'running', queued: 2, remaining: 2, succeeded: 0, since });
    expect(requests()).toHaveLength(2);

    expect((await h.call('PATCH', `/api/v1/connectors/${connector.id}`, { enabled: true })).status).toBe(200);
    const finished = await waitFor(
      async () => {
        const r = (await h.call('GET', progressUrl)).body;
        return r.status === 'completed' ? r : undefined;
      },
      20_000,
      'the recovery completed',
    );
    expect(finished).toMatchObject({ queued: 2, remaining: 0, succeeded: 2, dead: 0 });
    expect(finished.finishedAt).not.toBeNull();
    expect(requests()).toHaveLength(4);

    for (const d of dead) {
      const [latest, earlier] = await attemptsOf(d.id);
      expect(earlier).toMatchObject({ outcome: 'dead', httpStatus: 422, responseExcerpt: 'unknown plan', trigger: 'scheduled' });
      expect(latest).toMatchObject({ outcome: 'succeeded', trigger: 'recover', recoveryId: started.body.recoveryId });
    }
    expect((await deliveriesOf(connector.id)).every((d: any) => d.status === 'succeeded')).toBe(true);

    // A later recovery from the same time finds nothing left to send.
    const nothing = await h.call('POST', `/api/v1/connectors/${connector.id}/recover`, { since });
    expect(nothing.status).toBe(202);
    expect(nothing.body.queued).toBe(0);
    expect(nothing.body.recoveryId).not.toBe(started.body.recoveryId);
  });

  it('answers bad recover requests and unknown ids with the documented errors', async () => {
    const { connector } = await webhookConnector();
    const bad = await h.call('POST', `/api/v1/connectors/${connector.id}/recover`, { since: 'yesterday' });
    expect(bad.status).toBe(422);
    expect(bad.body.error.code).toBe('validation_failed');
    const unknownConnector = await h.call('POST', '/api/v1/connectors/con_nope/recover', { since: new Date().toISOString() });
    expect(unknownConnector.status).toBe(404);
    expect(unknownConnector.body.error.code).toBe('not_found');
    expect((await h.call('GET', `/api/v1/connectors/${connector.id}/recoveries/rcv_nope`)).body.error.code).toBe('not_found');
    expect((await h.call('GET', '/api/v1/deliveries/dlv_nope/attempts')).body.error.code).toBe('not_found');
  });
});
