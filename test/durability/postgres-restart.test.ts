import { spawn } from 'node:child_process';
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
