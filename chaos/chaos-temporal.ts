import { createWriteStream } from 'node:fs';
import { connect } from 'node:net';
import { join } from 'node:path';
import { findTemporalCli } from '../lib/find-temporal-cli.js';
import { startTemporalDevServer, type RunningDevServer } from '../lib/start-temporal-dev-server.js';
import { loadTemporalSettings } from '../lib/temporal-settings.js';

export interface ChaosTemporal {
  address: string;
  /** Times the server exited without being asked to (it is started again, as a supervisor would). */
  readonly unexpectedExits: number;
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

/**
 * The Temporal CLI dev server with its state in a file, so a restart keeps every workflow. The
 * dev server (one process on SQLite) gives up and exits when its storage calls keep missing their
 * deadlines on a starved machine; it is then started again, as a production Temporal would be,
 * and the exit is counted for the report.
 */
export async function startChaosTemporal(dir: string, port: number, log: (m: string) => void): Promise<ChaosTemporal> {
  const settings = loadTemporalSettings();
  const cli = await findTemporalCli(settings);
  const dbFile = join(dir, 'temporal.db');
  const logStream = createWriteStream(join(dir, 'temporal.log'), { flags: 'a' });
  let wanted = true;
  let restarting = false;
  let unexpectedExits = 0;
  let server: RunningDevServer;

  const start = async (): Promise<RunningDevServer> => {
    while (!(await portClosed(port))) await new Promise((r) => setTimeout(r, 100));
    const started = await startTemporalDevServer(cli, settings, { port, dbFile, timeoutMs: 120_000 });
    started.process.stderr?.pipe(logStream, { end: false });
    started.process.once('exit', (code, signal) => {
      logStream.write(`\n--- temporal exited (${signal ?? code}) at ${new Date().toISOString()}\n`);
      if (!wanted || restarting) return;
      unexpectedExits++;
      log(`temporal exited by itself (${signal ?? code}); restarting`);
      restarting = true;
      void start()
        .then((next) => (server = next))
        .finally(() => (restarting = false));
    });
    return started;
  };
  server = await start();

  return {
    address: `127.0.0.1:${port}`,
    get unexpectedExits() {
      return unexpectedExits;
    },
    async restart(downMs) {
      while (restarting) await new Promise((r) => setTimeout(r, 200));
      restarting = true;
      try {
        const exited = new Promise((resolve) => server.process.once('exit', resolve));
        if (server.process.exitCode === null && server.process.signalCode === null) {
          server.process.kill('SIGKILL');
          await exited;
        }
        await new Promise((r) => setTimeout(r, downMs));
        server = await start();
      } finally {
        restarting = false;
      }
    },
    async stop() {
      wanted = false;
      while (restarting) await new Promise((r) => setTimeout(r, 200));
      await server.stop();
    },
  };
}
