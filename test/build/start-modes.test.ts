import { spawn } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, rmSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, inject, it } from 'vitest';
import { freePort } from '../global-setup.js';
import { createTestDatabase } from '../support/test-database.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const TSX = join(ROOT, 'node_modules', '.bin', 'tsx');
const START = join(ROOT, 'hub', 'start.ts');

const cleanups: (() => void)[] = [];

/** Whether something still listens on the port (a server left running after Ctrl-C). */
const listening = (port: string) =>
  new Promise<boolean>((resolve) => {
    const socket = connect({ host: '127.0.0.1', port: Number(port) }, () => {
      socket.end();
      resolve(true);
    });
    socket.on('error', () => resolve(false));
  });
afterEach(() => {
  for (const cleanup of cleanups.splice(0)) cleanup();
});

/**
 * `npm start` as a newcomer runs it: `tsx hub/start.ts` in a fresh folder without `.data`, with
 * only the given variables. Waits for /readyz and the "running" banner, then presses Ctrl-C
 * (SIGINT to its process group) and expects a clean exit. Returns everything it printed.
 */
async function startAndStop(env: Record<string, string>, timeoutMs = 90_000): Promise<{ output: string; dataDir: string }> {
  const cwd = mkdtempSync(join(tmpdir(), 'rh-start-'));
  // mkdtemp makes it 0700; as root, initdb runs as the postgres user, who must reach the folder
  // (as in a clone anywhere outside a private home directory).
  chmodSync(cwd, 0o755);
  cleanups.push(() => rmSync(cwd, { recursive: true, force: true }));
  const port = await freePort();
  const child = spawn(TSX, [START], {
    cwd,
    env: {
      PATH: process.env.PATH,
      HOME: process.env.HOME,
      LOG_LEVEL: 'warn',
      HUB_PORT: String(port),
      HUB_HOST: '127.0.0.1',
      TEMPORAL_CLI_PATH: inject('temporalCliPath'),
      TEMPORAL_WORKFLOW_BUNDLE: inject('workflowBundlePath'),
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
    // Its own process group, like a terminal's foreground job: Ctrl-C signals the whole group.
    detached: true,
  });
  let output = '';
  child.stdout.on('data', (d: Buffer) => {
    output += d.toString();
  });
  child.stderr.on('data', (d: Buffer) => {
    output += d.toString();
  });
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  let exitCode: number | null | undefined;
  void exited.then((code) => {
    exitCode = code;
  });
  cleanups.push(() => {
    if (exitCode === undefined) process.kill(-child.pid!, 'SIGKILL');
  });

  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (exitCode !== undefined) throw new Error(`npm start exited (${exitCode}) before it was ready:\n${output}`);
    if (Date.now() > deadline) throw new Error(`npm start was not ready within ${timeoutMs} ms:\n${output}`);
    const ready = await fetch(`http://127.0.0.1:${port}/readyz`).then(
      (r) => r.status === 200,
      () => false,
    );
    if (ready && output.includes('Referral Hub is running.')) break;
    await new Promise((r) => setTimeout(r, 250));
  }
  process.kill(-child.pid!, 'SIGINT');
  const stopDeadline = new Promise<'timeout'>((resolve) => setTimeout(() => resolve('timeout'), 30_000).unref());
  const code = await Promise.race([exited, stopDeadline]);
  expect(code, `Ctrl-C should stop everything cleanly:\n${output}`).toBe(0);
  return { output, dataDir: join(cwd, '.data') };
}

describe('npm start on a fresh clone', () => {
  it('both external (DATABASE_URL and TEMPORAL_ADDRESS): starts, prints the first admin key, stops on Ctrl-C', async () => {
    const { output, dataDir } = await startAndStop({
      DATABASE_URL: await createTestDatabase(),
      TEMPORAL_ADDRESS: inject('temporalAddress'),
    });
    expect(output).toContain('shown only this once');
    expect(output).not.toContain('Temporal   http');
    // The generated HUB_SECRET_KEY is the only thing kept locally.
    expect(existsSync(join(dataDir, 'secret.key'))).toBe(true);
  });

  it('external PostgreSQL only: the Temporal dev server keeps its state in a .data it creates', async () => {
    const uiPort = await freePort();
    const temporalPort = String(await freePort());
    const { output, dataDir } = await startAndStop({
      DATABASE_URL: await createTestDatabase(),
      TEMPORAL_DEV_PORT: temporalPort,
      TEMPORAL_UI_PORT: String(uiPort),
    });
    expect(output).toContain(`Temporal   http://localhost:${uiPort}`);
    expect(existsSync(join(dataDir, 'temporal.db'))).toBe(true);
    expect(await listening(temporalPort)).toBe(false);
  });

  it('nothing set: embedded PostgreSQL and the Temporal dev server, all under .data', async () => {
    const ports = {
      EMBEDDED_POSTGRES_PORT: String(await freePort()),
      TEMPORAL_DEV_PORT: String(await freePort()),
      TEMPORAL_UI_PORT: String(await freePort()),
    };
    const { output, dataDir } = await startAndStop(ports, 150_000);
    // Ctrl-C stopped the embedded servers too.
    expect(await listening(ports.EMBEDDED_POSTGRES_PORT)).toBe(false);
    expect(await listening(ports.TEMPORAL_DEV_PORT)).toBe(false);
    expect(output).toContain('shown only this once');
    expect(existsSync(join(dataDir, 'postgres', 'PG_VERSION'))).toBe(true);
    expect(existsSync(join(dataDir, 'temporal.db'))).toBe(true);
  }, 240_000);
});
