import { join, resolve } from 'node:path';
import { ConfigError, loadConfig } from '../lib/config.js';
import { dataDirSecret } from '../lib/data-dir-secret.js';
import { startEmbeddedPostgres, type RunningPostgres } from '../lib/embedded-postgres.js';
import { findTemporalCli } from '../lib/find-temporal-cli.js';
import { createLogger } from '../lib/logger.js';
import { startTemporalDevServer, type RunningDevServer } from '../lib/start-temporal-dev-server.js';
import { loadTemporalSettings } from '../lib/temporal-settings.js';
import { runWorker } from '../workflows/worker/run-worker.js';
import { runHub } from './run-hub.js';

/**
 * `npm start`: everything a newcomer needs in one command. Starts an embedded PostgreSQL and the
 * Temporal dev server unless DATABASE_URL / TEMPORAL_ADDRESS point elsewhere, then the worker
 * and the hub in this process. Ctrl-C stops them all.
 */
async function main() {
  let config;
  try {
    config = loadConfig();
  } catch (err) {
    if (err instanceof ConfigError) {
      console.error(err.message);
      process.exit(1);
    }
    throw err;
  }
  const logger = createLogger(config.LOG_LEVEL);
  const say = (m: string) => process.stdout.write(`${m}\n`);
  const dataDir = resolve(config.HUB_DATA_DIR);
  const stops: (() => Promise<void>)[] = [];
  let stopping = false;
  const shutdown = async (code: number) => {
    if (stopping) return;
    stopping = true;
    say('Stopping…');
    for (const stop of stops.reverse()) await stop().catch((err) => logger.error({ err: String(err) }, 'stop failed'));
    process.exit(code);
  };
  process.on('SIGINT', () => void shutdown(0));
  process.on('SIGTERM', () => void shutdown(0));

  try {
    let databaseUrl = config.DATABASE_URL;
    if (!databaseUrl) {
      const pg: RunningPostgres = await startEmbeddedPostgres(dataDir, config.EMBEDDED_POSTGRES_PORT, say);
      stops.push(pg.stop);
      databaseUrl = pg.url;
    }
    let temporalAddress = config.TEMPORAL_ADDRESS;
    let temporalUi: string | undefined;
    if (!temporalAddress) {
      const settings = loadTemporalSettings();
      const cli = await findTemporalCli(settings, say);
      const server: RunningDevServer = await startTemporalDevServer(cli, settings, {
        port: config.TEMPORAL_DEV_PORT,
        uiPort: config.TEMPORAL_UI_PORT,
        dbFile: join(dataDir, settings.devServer.dbFile),
      });
      stops.push(server.stop);
      temporalAddress = server.address;
      temporalUi = `http://localhost:${config.TEMPORAL_UI_PORT}`;
    }
    const secret = config.HUB_SECRET_KEY ?? dataDirSecret(dataDir);
    const full = {
      ...config,
      DATABASE_URL: databaseUrl,
      TEMPORAL_ADDRESS: temporalAddress,
      HUB_SECRET_KEY: secret,
      HUB_TEMPORAL_UI_URL: config.HUB_TEMPORAL_UI_URL ?? temporalUi,
    };

    const hub = await runHub(full, logger);
    stops.push(hub.stop);
    const worker = await runWorker(full, logger);
    stops.push(worker.stop);
    void worker.running.catch((err) => {
      logger.error({ err: String(err) }, 'worker stopped');
      void shutdown(1);
    });

    say('');
    say(`Referral Hub is running.`);
    say(`  Console    ${hub.publicUrl}/ui`);
    say(`  API        ${hub.publicUrl}/api/v1`);
    say(`  API docs   ${hub.publicUrl}/docs`);
    say(`  Health     ${hub.publicUrl}/readyz`);
    if (temporalUi) say(`  Temporal   ${temporalUi}`);
    say(`Press Ctrl-C to stop.`);
  } catch (err) {
    logger.error({ err: err instanceof Error ? err.message : String(err) }, 'start-up failed');
    await shutdown(1);
  }
}

await main();
