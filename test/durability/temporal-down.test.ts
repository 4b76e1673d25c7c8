import { afterAll, beforeAll, expect, it } from 'vitest';
import { inject } from 'vitest';
import { programWithMember, rewardsOf, waitForRewards } from '../support/fixtures.js';
import { createHarness, waitFor, type Harness } from '../support/hub-harness.js';
import { startTcpProxy } from '../support/tcp-proxy.js';
import { startWorkerProcess } from '../support/worker-process.js';
import { lifecycleBacklog } from '../../workflows/dispatch/lifecycle-dispatcher.js';

let h: Harness;
let proxy: Awaited<ReturnType<typeof startTcpProxy>>;
beforeAll(async () => {
  proxy = await startTcpProxy(inject('temporalAddress'));
  // The hub reaches Temporal only through the proxy; the worker connects directly.
  h = await createHarness({ temporalAddress: proxy.address, sweepMs: 300 });
});
afterAll(async () => {
  await h?.close();
  await proxy?.close();
});

it('accepts conversions while Temporal is unreachable and rewards them once it is back', async () => {
  const { program, member } = await programWithMember(h, [
    { name: 'Referrer bonus', trigger: 'conversion', recipient: 'member', amount: { type: 'fixed', value: 20 }, kind: 'cash' },
  ]);
  await proxy.cut();

  const started = Date.now();
  const conversions = [];
  for (const email of ['down-1@example.com', 'down-2@example.com', 'down-3@example.com']) {
    const res = await h.call('POST', '/api/v1/conversions', { programId: program.id, referralCode: member.referralCode, email });
    expect(res.status).toBe(201);
    conversions.push(res.body);
  }
  // The answer never waits on Temporal.
  expect(Date.now() - started).toBeLessThan(3000);
  const ready = await h.app.request('/readyz');
  expect(ready.status).toBe(503);
  const readiness = await ready.json();
  expect(readiness.checks).toEqual({ database: true, temporal: false });
  expect(readiness.reasons).toContain('temporal: unreachable');

  // The facts are durable and waiting; nothing could reach the workflow yet.
  await new Promise((r) => setTimeout(r, 1500));
  expect((await lifecycleBacklog(h.db.sql)).count).toBe(3);
  for (const c of conversions) expect(await rewardsOf(h, c.id)).toHaveLength(0);

  await proxy.restore();
  for (const c of conversions) await waitForRewards(h, c.id, 1, () => true, 30_000);
  // The rewards' payouts write events of their own, dispatched right after.
  await waitFor(async () => (await lifecycleBacklog(h.db.sql)).count === 0, 15_000, 'the backlog drained');
});

it('a schedule change Temporal cannot take is a 503 and leaves the schedule as it was', async () => {
  const { program } = await programWithMember(h, []);
  const connector = await h.call('POST', '/api/v1/connectors', {
    kind: 'sftp',
    name: 'Partner SFTP',
    settings: { host: '127.0.0.1', port: 2222, username: 'partner', directory: '/in' },
    secrets: { password: 'pw-1' },
  });
  expect(connector.status, JSON.stringify(connector.body)).toBe(201);
  const created = await h.call('POST', '/api/v1/schedules', {
    name: 'Nightly',
    connectorId: connector.body.id,
    programIds: [program.id],
    every: '24h',
    fields: [{ source: 'email', target: 'email' }],
  });
  expect(created.status, JSON.stringify(created.body)).toBe(201);

  await proxy.cut();
  const refused = await h.call('PATCH', `/api/v1/schedules/${created.body.id}`, { every: '1h', paused: true });
  expect(refused.status).toBe(503);
  expect(refused.body.error.code).toBe('unavailable');
  // Nor is it deleted while its Temporal Schedule cannot be: that one would go on firing.
  expect((await h.call('DELETE', `/api/v1/schedules/${created.body.id}`)).status).toBe(503);
  // A run that could not be started is failed at once, so the next one retries its range.
  expect((await h.call('POST', `/api/v1/schedules/${created.body.id}/run`)).status).toBe(503);
  const [unstarted] = (await h.call('GET', `/api/v1/schedules/${created.body.id}/runs`)).body.data;
  expect(unstarted).toMatchObject({ status: 'failed', lastError: expect.stringMatching(/could not be started/) });
  const unchanged = await h.call('GET', `/api/v1/schedules/${created.body.id}`);
  expect([unchanged.body.every, unchanged.body.paused]).toEqual(['24h', false]);

  await proxy.restore();
  const taken = await h.call('PATCH', `/api/v1/schedules/${created.body.id}`, { every: '1h', paused: true });
  expect(taken.status).toBe(200);
  const retried = await h.call('POST', `/api/v1/schedules/${created.body.id}/run`);
  expect(retried.body.runId).toBe(unstarted.id);
  // Temporal applies schedule changes asynchronously: describe shows them a moment later.
  await waitFor(
    async () => {
      const described = await h.client.schedule.getHandle(`schedule:${created.body.id}`).describe();
      return described.spec.intervals?.[0]?.every === 3600_000 && described.state.paused;
    },
    10_000,
    'Temporal Schedule every 1h and paused',
  );
  // Gone from Temporal already (deleted by hand): the row still goes.
  await h.client.schedule.getHandle(`schedule:${created.body.id}`).delete();
  expect((await h.call('DELETE', `/api/v1/schedules/${created.body.id}`)).status).toBe(204);
  expect((await h.call('GET', `/api/v1/schedules/${created.body.id}`)).status).toBe(404);
}, 120_000); // three calls wait out the hub's 10 s Temporal deadline

it('a recover Temporal cannot take is a 503 and leaves no recovery behind; asked again once it is back, it runs', async () => {
  const { program } = await programWithMember(h, []);
  const connector = await h.call('POST', '/api/v1/connectors', {
    kind: 'webhook',
    name: 'Hook',
    settings: { url: 'http://127.0.0.1:9/hook' },
    secrets: { signingSecret: `whsec_${Buffer.alloc(32, 7).toString('base64')}` },
    programIds: [program.id],
    enabled: false,
  });
  expect(connector.status, JSON.stringify(connector.body)).toBe(201);
  const since = new Date(Date.now() - 60_000).toISOString();

  await proxy.cut();
  const refused = await h.call('POST', `/api/v1/connectors/${connector.body.id}/recover`, { since });
  expect(refused.status).toBe(503);
  expect(refused.body.error.code).toBe('unavailable');
  // A recovery left `running` with no workflow would show progress that never comes.
  expect(await h.db.sql`select id from connector_recoveries where connector_id = ${connector.body.id}`).toHaveLength(0);

  await proxy.restore();
  const started = await h.call('POST', `/api/v1/connectors/${connector.body.id}/recover`, { since });
  expect(started.status).toBe(202);
  const done = await waitFor(
    async () => {
      const r = (await h.call('GET', `/api/v1/connectors/${connector.body.id}/recoveries/${started.body.recoveryId}`)).body;
      return r.status === 'completed' ? r : undefined;
    },
    20_000,
    'the recovery completed',
  );
  expect(done).toMatchObject({ queued: 0, remaining: 0 });
}, 60_000);

// Found by the chaos soak: a worker its supervisor restarted while Temporal was restarting
// exited at once (it could not connect), so it came back only after the next restart.
it('a worker started while Temporal is unreachable waits for it, logging why, and polls once it is back', async () => {
  await proxy.cut();
  let cut = true;
  const worker = startWorkerProcess(h, { captureOutput: true, temporalAddress: proxy.address });
  try {
    await waitFor(async () => worker.output().includes('waiting for Temporal'), 60_000, 'the worker to say it is waiting');
    await new Promise((r) => setTimeout(r, 1500));
    expect(worker.child.exitCode, worker.output().slice(-2000)).toBeNull();
    await proxy.restore();
    cut = false;
    await worker.started(60_000);
  } finally {
    if (cut) await proxy.restore();
    await worker.kill();
  }
}, 120_000);

it('a worker gives up at HUB_STARTUP_WAIT and exits with the error, rather than waiting forever', async () => {
  await proxy.cut();
  const worker = startWorkerProcess(h, { captureOutput: true, temporalAddress: proxy.address, env: { HUB_STARTUP_WAIT: '2s' } });
  try {
    const code = await new Promise((resolve) => {
      worker.child.once('exit', resolve);
      setTimeout(() => resolve('still running'), 60_000);
    });
    expect(code, worker.output().slice(-2000)).toBe(1);
    expect(worker.output()).toContain('waiting for Temporal');
  } finally {
    await proxy.restore();
    await worker.kill();
  }
}, 120_000);
