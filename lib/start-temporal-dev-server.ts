import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { connect } from 'node:net';
import { devServerArgs, type TemporalSettings } from './temporal-settings.js';

export interface RunningDevServer {
  address: string;
  process: ChildProcess;
  stop(): Promise<void>;
}

function portOpen(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host: '127.0.0.1', port }, () => {
      socket.end();
      resolve(true);
    });
    socket.on('error', () => resolve(false));
  });
}

/**
 * Spawns `temporal server start-dev` and waits for its frontend port with our own budget:
 * the SDK's built-in launcher gives up after 5 s, too short on a busy 2-core machine.
 */
export async function startTemporalDevServer(
  cli: string,
  settings: TemporalSettings,
  opts: { port: number; uiPort?: number; dbFile?: string; forTests?: boolean; timeoutMs?: number },
): Promise<RunningDevServer> {
  if (await portOpen(opts.port)) throw new Error(`port ${opts.port} is already in use (another Temporal server?)`);
  // The CLI refuses a database file in a folder that does not exist yet (a fresh clone has no .data).
  if (opts.dbFile) mkdirSync(dirname(resolve(opts.dbFile)), { recursive: true });
  const child = spawn(cli, devServerArgs(settings, opts), { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr?.on('data', (d: Buffer) => {
    stderr = (stderr + d.toString()).slice(-4000);
  });
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const deadline = Date.now() + (opts.timeoutMs ?? 60_000);
  let early: number | null | undefined;
  void exited.then((code) => {
    early = code;
  });
  while (!(await portOpen(opts.port))) {
    if (early !== undefined) throw new Error(`temporal dev server exited (${early}): ${stderr}`);
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`temporal dev server did not open port ${opts.port} in time: ${stderr}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  return {
    address: `127.0.0.1:${opts.port}`,
    process: child,
    async stop() {
      if (child.exitCode !== null) return;
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
      await exited;
      clearTimeout(timer);
    },
  };
}
