import { createWriteStream } from 'node:fs';
import { connect } from 'node:net';
import { join } from 'node:path';
import { findTemporalCli } from '../lib/find-temporal-cli.js';
import { startTemporalDevServer, type RunningDevServer } from '../lib/start-temporal-dev-server.js';
import { loadTemporalSettings } from '../lib/temporal-settings.js';

export interface ChaosTemporal {
  address: string;
  /** `kill -9`, down for `downMs`, started again on the same port and database file. */
  restart(downMs: number): Promise<void>;
  stop(): Promise<void>;
}

const portClosed = (port: number) =>
  new Promise<boolean>((resolve) => {
    const socket = connect({ host: '127.0.0.1', port }, () => {
      socket.end();
      resolve(false);
    });
    socket.on('error', () => resolve(true));
  });

/** The Temporal CLI dev server with its state in a file, so a restart keeps every workflow. */
export async function startChaosTemporal(dir: string, port: number): Promise<ChaosTemporal> {
  const settings = loadTemporalSettings();
  const cli = await findTemporalCli(settings);
  const dbFile = join(dir, 'temporal.db');
  const logStream = createWriteStream(join(dir, 'temporal.log'), { flags: 'a' });
  const start = async () => {
    const started = await startTemporalDevServer(cli, settings, { port, dbFile, timeoutMs: 120_000 });
    started.process.stderr?.pipe(logStream, { end: false });
    started.process.once('exit', (code, signal) =>
      logStream.write(`\n--- temporal exited (${signal ?? code}) at ${new Date().toISOString()}\n`),
    );
    return started;
  };
  let server: RunningDevServer = await start();
  return {
    address: server.address,
    async restart(downMs) {
      const exited = new Promise((resolve) => server.process.once('exit', resolve));
      server.process.kill('SIGKILL');
      await exited;
      while (!(await portClosed(port))) await new Promise((r) => setTimeout(r, 100));
      await new Promise((r) => setTimeout(r, downMs));
      server = await start();
    },
    stop: () => server.stop(),
  };
}
