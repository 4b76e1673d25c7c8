import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chmodSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { startChaosPostgres, type ChaosPostgres } from '../../chaos/chaos-postgres.js';
import { freePort } from '../../chaos/free-port.js';
import { waitFor } from '../support/hub-harness.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
let postgres: ChaosPostgres;

beforeAll(async () => {
  const dir = mkdtempSync(join(tmpdir(), 'rh-pg-restart-'));
  chmodSync(dir, 0o755);
  postgres = await startChaosPostgres(dir, await freePort());
}, 120_000);

afterAll(async () => {
  await postgres?.stop();
});

// Found by the chaos soak: when PostgreSQL restarted under load, the driver wrote to a socket it
// had already closed, from a timer no caller could catch, and the hub and worker processes died.
it('a process querying through our database clients survives PostgreSQL restarting under load, and goes on', async () => {
  const child = spawn(process.execPath, ['--import', 'tsx', 'test/support/database-load-process.ts'], {
    cwd: ROOT,
    env: { ...process.env, DATABASE_URL: postgres.url },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  let exit: string | undefined;
  child.stdout.on('data', (d: Buffer) => (output += d.toString()));
  child.stderr.on('data', (d: Buffer) => (output += d.toString()));
  child.once('exit', (code, signal) => (exit = `${signal ?? code}`));
  const progress = () => Number(/ok (\d+)\n$/.exec(output.slice(-40))?.[1] ?? 0);
  try {
    await waitFor(async () => progress() > 200, 30_000, 'queries to run');
    for (let restart = 0; restart < 5; restart++) {
      await postgres.restart(300);
      const before = progress();
      await waitFor(async () => exit !== undefined || progress() > before + 100, 30_000, `queries after restart ${restart + 1}`);
      expect(exit, output.slice(-3000)).toBeUndefined();
    }
  } finally {
    child.kill('SIGKILL');
  }
}, 240_000);

/** A hub process on the test's PostgreSQL, Temporal unreachable (not needed here), dispatch paused. */
async function spawnHub(env: Record<string, string> = {}) {
  const port = await freePort();
  const key = `rh_test_${randomBytes(16).toString('hex')}`;
  const hub = spawn(process.execPath, ['--import', 'tsx', 'hub/main.ts'], {
    cwd: ROOT,
    env: {
      ...process.env,
      DATABASE_URL: postgres.url,
      TEMPORAL_ADDRESS: '127.0.0.1:1',
      HUB_PORT: String(port),
      HUB_HOST: '127.0.0.1',
      HUB_BOOTSTRAP_API_KEY: key,
      HUB_SECRET_KEY: randomBytes(32).toString('hex'),
      HUB_DISPATCH: 'off',
      LOG_LEVEL: 'warn',
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  hub.stdout.on('data', (d: Buffer) => (output += d.toString()));
  hub.stderr.on('data', (d: Buffer) => (output += d.toString()));
  const exited = new Promise<number | string>((resolve) => hub.once('exit', (code, signal) => resolve(signal ?? code ?? 'unknown')));
  let exit: number | string | undefined;
  void exited.then((e) => (exit = e));
  const list = () =>
    fetch(`http://127.0.0.1:${port}/api/v1/programs`, { headers: { authorization: `Bearer ${key}` } }).catch(
      () => new Response(null, { status: 599 }),
    );
  return { hub, list, exited, exit: () => exit, output: () => output };
}

it('while PostgreSQL is down the hub answers 503 unavailable with Retry-After (a client retries), and 200 once it is back', async () => {
  const { hub, list } = await spawnHub();
  try {
    await waitFor(async () => (await list()).status === 200, 90_000, 'the hub to answer');
    await postgres.crash();
    const res = await list();
    expect(res.status).toBe(503);
    expect(res.headers.get('retry-after')).toBe('1');
    expect(((await res.json()) as { error: { code: string } }).error.code).toBe('unavailable');
    await postgres.startAgain();
    await waitFor(async () => (await list()).status === 200, 30_000, 'the hub to answer again');
  } finally {
    hub.kill('SIGKILL');
  }
}, 180_000);

// Found by the chaos soak: a hub its supervisor restarted while PostgreSQL was still down or in
// crash recovery exited at its start-up migration, again and again, until the database was back.
it('a hub started while PostgreSQL is down waits for it, logging why, and serves once it is up', async () => {
  await postgres.crash();
  const started = await spawnHub();
  try {
    await waitFor(async () => started.output().includes('waiting for PostgreSQL'), 60_000, 'the hub to say it is waiting');
    await new Promise((resolve) => setTimeout(resolve, 1500));
    expect(started.exit(), started.output().slice(-2000)).toBeUndefined();
    await postgres.startAgain();
    await waitFor(async () => (await started.list()).status === 200, 60_000, 'the hub to answer');
  } finally {
    started.hub.kill('SIGKILL');
  }
}, 180_000);

it('a hub gives up at HUB_STARTUP_WAIT and exits with the error, rather than waiting forever', async () => {
  await postgres.crash();
  try {
    const started = await spawnHub({ HUB_STARTUP_WAIT: '2s' });
    const exit = await Promise.race([started.exited, new Promise((resolve) => setTimeout(() => resolve('still running'), 60_000))]);
    started.hub.kill('SIGKILL');
    expect(exit, started.output().slice(-2000)).toBe(1);
    expect(started.output()).toContain('waiting for PostgreSQL');
  } finally {
    await postgres.startAgain();
  }
}, 180_000);
