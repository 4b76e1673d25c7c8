import { DefaultLogger, NativeConnection, Runtime } from '@temporalio/worker';
import type { Config } from '../../lib/config.js';
import type { Logger } from '../../lib/logger.js';
import { temporalConnectionOptions } from '../../lib/temporal-connection-options.js';
import { loadTemporalSettings } from '../../lib/temporal-settings.js';
import { createSecretBox } from '../../connectors/security/secret-box.js';
import { derivePurposeKey } from '../../lib/purpose-key.js';
import { deriveSecretKey } from '../../lib/secret-key.js';
import { createDb } from '../../schema/db.js';
import { parseDuration } from '../../lib/duration.js';
import { waitForDependency } from '../../lib/wait-for-dependency.js';
import { UNSUBSCRIBE_KEY_PURPOSE } from '../../lib/unsubscribe-token.js';
import { createWorker } from './create-worker.js';

/** Connects and runs a worker until `stop()` (or SIGINT/SIGTERM, handled by the SDK runtime). */
export async function runWorker(
  config: Config & { DATABASE_URL: string; TEMPORAL_ADDRESS: string; HUB_SECRET_KEY: string },
  logger: Logger,
) {
  const settings = loadTemporalSettings();
  // The SDK logs every bundling step at INFO; keep it to warnings unless we are debugging.
  Runtime.install({ logger: new DefaultLogger(config.LOG_LEVEL === 'debug' || config.LOG_LEVEL === 'trace' ? 'DEBUG' : 'WARN') });
  // Any failure to connect may be Temporal still starting, so it is retried until the deadline;
  // each attempt's error is logged, so a wrong address or TLS setting is visible while it waits.
  const connection = await waitForDependency(
    'Temporal',
    () => NativeConnection.connect(temporalConnectionOptions(config, config.TEMPORAL_ADDRESS)),
    { deadlineMs: parseDuration(config.HUB_STARTUP_WAIT), logger, isTransient: () => true },
  );
  // Activities only run short statements and transactions; a server-side deadline on each turns
  // a query stuck behind a lock (or a transaction left waiting) into an error Temporal retries.
  const handle = createDb(config.DATABASE_URL, { statementTimeoutMs: 60_000, idleInTransactionTimeoutMs: 60_000 });
  const taskQueue = config.TEMPORAL_TASK_QUEUE ?? settings.taskQueues.lifecycle;
  const worker = await createWorker({
    connection,
    namespace: config.TEMPORAL_NAMESPACE ?? settings.namespace,
    taskQueue,
    db: handle.db,
    sql: handle.sql,
    secretBox: createSecretBox(deriveSecretKey(config.HUB_SECRET_KEY)),
    publicUrl: (config.HUB_PUBLIC_URL ?? `http://localhost:${config.HUB_PORT}`).replace(/\/+$/, ''),
    unsubscribeKey: derivePurposeKey(config.HUB_SECRET_KEY, UNSUBSCRIBE_KEY_PURPOSE),
    allowPrivateTargets: config.HUB_ALLOW_PRIVATE_TARGETS,
    logger,
    ...(config.TEMPORAL_WORKFLOW_BUNDLE ? { workflowBundle: { codePath: config.TEMPORAL_WORKFLOW_BUNDLE } } : {}),
  });
  logger.info({ taskQueue }, 'worker started');
  const running = worker.run().finally(async () => {
    await connection.close();
    await handle.close();
  });
  return {
    running,
    async stop() {
      if (worker.getState() === 'RUNNING') worker.shutdown();
      await running;
    },
  };
}
