import { createHash } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { serve } from '@hono/node-server';
import { Client, Connection } from '@temporalio/client';
import type { Config } from '../lib/config.js';
import type { Logger } from '../lib/logger.js';
import { TEMPORAL_CLIENT_CHANNEL_ARGS } from '../lib/temporal-client-channel-args.js';
import { temporalConnectionOptions } from '../lib/temporal-connection-options.js';
import { temporalReady } from '../lib/temporal-ready.js';
import { loadTemporalSettings } from '../lib/temporal-settings.js';
import { createDb, createSession } from '../schema/db.js';
import { runMigrations } from '../schema/migrate.js';
import { createSecretBox } from '../connectors/security/secret-box.js';
import { parseDuration } from '../lib/duration.js';
import { waitForDependency } from '../lib/wait-for-dependency.js';
import { isDatabaseUnavailable } from './http/database-unavailable.js';
import { deriveSecretKey } from '../lib/secret-key.js';
import { derivePurposeKey } from '../lib/purpose-key.js';
import { prepareConsoleUsers } from './console/prepare-console-users.js';
import { UNSUBSCRIBE_KEY_PURPOSE } from '../lib/unsubscribe-token.js';
import { createShareEmailWaker } from '../workflows/dispatch/share-email-waker.js';
import { createConnectorWaker } from '../workflows/dispatch/connector-waker.js';
import { createPayoutWaker } from '../workflows/dispatch/payout-waker.js';
import { createLifecycleDispatcher } from '../workflows/dispatch/lifecycle-dispatcher.js';
import { createApp } from './create-app.js';
import { pruneIdempotencyKeys } from './http/idempotency.js';
import { createApiKeyService } from './services/api-key-service.js';
import { pruneInboundRequests } from './services/inbound-request-log.js';

/**
 * Migrates, then serves the API and runs the lifecycle dispatcher. The Temporal connection is
 * lazy: the hub accepts facts while Temporal is down and the dispatcher delivers them when it is back.
 */
export async function runHub(config: Config & { DATABASE_URL: string; TEMPORAL_ADDRESS: string; HUB_SECRET_KEY: string }, logger: Logger) {
  const settings = loadTemporalSettings();
  await waitForDependency('PostgreSQL', () => runMigrations(config.DATABASE_URL), {
    deadlineMs: parseDuration(config.HUB_STARTUP_WAIT),
    logger,
    isTransient: isDatabaseUnavailable,
  });
  // No statement deadline here (an export may stream for as long as its client reads), but a
  // transaction left waiting is ended by the server instead of holding its connection.
  const handle = createDb(config.DATABASE_URL, { max: config.HUB_DB_POOL_SIZE, idleInTransactionTimeoutMs: 60_000 });
  const connection = Connection.lazy({
    ...temporalConnectionOptions(config, config.TEMPORAL_ADDRESS),
    channelArgs: TEMPORAL_CLIENT_CHANNEL_ARGS,
  });
  const client = new Client({ connection, namespace: config.TEMPORAL_NAMESPACE ?? settings.namespace });
  const taskQueue = config.TEMPORAL_TASK_QUEUE ?? settings.taskQueues.lifecycle;
  const connectorWaker = createConnectorWaker({
    db: handle.db,
    client,
    taskQueue,
    logger,
    backoffMs: config.HUB_SYNC_BACKOFF.split(',').map(parseDuration),
    disableAfter: config.HUB_SYNC_DISABLE_AFTER,
  });
  const payoutWaker = createPayoutWaker({ db: handle.db, client, taskQueue, logger });
  const shareEmailWaker = createShareEmailWaker({ db: handle.db, client, taskQueue, logger });
  const dispatcher = createLifecycleDispatcher({
    openSession: () => createSession(config.DATABASE_URL, { applicationName: 'referral-hub-dispatcher', statementTimeoutMs: 15_000 }),
    client,
    logger,
    taskQueue,
    afterBatch: connectorWaker.eventsCommitted,
    stallAfterMs: parseDuration(config.HUB_DISPATCH_STALL_AFTER),
    paused: config.HUB_DISPATCH === 'off',
  });
  const publicUrl = (config.HUB_PUBLIC_URL ?? `http://localhost:${config.HUB_PORT}`).replace(/\/+$/, '');

  if (!config.HUB_BOOTSTRAP_API_KEY) {
    const keys = createApiKeyService(handle.db);
    if ((await keys.count()) === 0) {
      // The first start acts as an unlimited admin: nobody holds a key yet.
      const firstStart = { id: 'first-start', name: 'first start', scopes: ['admin' as const], programIds: [] };
      const { key } = await keys.create(firstStart, { name: 'first admin key', scopes: ['admin'], programIds: [] });
      // Printed once on purpose: there is no other way to get the first key.
      process.stdout.write(`\nFirst start: created an admin API key. It is shown only this once:\n\n  ${key}\n\n`);
    }
  }

  await prepareConsoleUsers(handle.db, config, publicUrl, logger);

  const app = createApp({
    db: handle.db,
    sql: handle.sql,
    logger,
    publicUrl,
    dispatcher,
    connectorWaker,
    payoutWaker,
    shareEmailWaker,
    temporal: { client, taskQueue },
    bootstrapApiKey: config.HUB_BOOTSTRAP_API_KEY,
    secretBox: createSecretBox(deriveSecretKey(config.HUB_SECRET_KEY)),
    unsubscribeKey: derivePurposeKey(config.HUB_SECRET_KEY, UNSUBSCRIBE_KEY_PURPOSE),
    allowPrivateTargets: config.HUB_ALLOW_PRIVATE_TARGETS,
    bodyLimitBytes: config.HUB_BODY_LIMIT_BYTES,
    trustedProxies: config.HUB_TRUSTED_PROXIES,
    readyMaxBacklogAgeMs: parseDuration(config.HUB_READY_MAX_BACKLOG_AGE),
    consoleSecret: derivePurposeKey(config.HUB_SECRET_KEY, 'console-session').toString('hex'),
    consoleIdleMs: parseDuration(config.HUB_SESSION_IDLE),
    temporalUiUrl: config.HUB_TEMPORAL_UI_URL,
    pageSecret: createHash('sha256').update(`hosted-pages:${config.HUB_SECRET_KEY}`).digest('hex'),
    ipHashSalt: createHash('sha256')
      .update(`ip-salt:${config.HUB_SECRET_KEY ?? 'referral-hub'}`)
      .digest('hex'),
    temporalReady: () => temporalReady(connection),
    stripeWebhookSecret: config.STRIPE_WEBHOOK_SECRET,
    hubspotAppSecret: config.HUBSPOT_APP_SECRET,
    hubspotQualifiedStages: config.HUBSPOT_QUALIFIED_STAGES,
    hubspotApprovedStages: config.HUBSPOT_APPROVED_STAGES,
  });
  dispatcher.start(config.HUB_DISPATCH_SWEEP_MS);
  if (config.HUB_DISPATCH === 'off') logger.warn('HUB_DISPATCH=off: accepted facts are kept in the event log and not handed to Temporal');
  // The safety net for a wake-up lost while Temporal was unreachable; connector changes wake payouts at once.
  payoutWaker.start(60_000);
  // Invites whose workflow could not be started when they were queued (Temporal down, a crash).
  shareEmailWaker.start(60_000);
  // Hourly, from every replica (the deletes are idempotent); unref'd so it never holds the process.
  const prune = setInterval(() => {
    Promise.all([pruneIdempotencyKeys(handle.sql), pruneInboundRequests(handle.sql)]).catch((err) =>
      logger.warn({ err: String(err) }, 'pruning expired rows failed'),
    );
  }, 3_600_000);
  prune.unref();

  const server = await new Promise<ReturnType<typeof serve>>((resolve) => {
    const s = serve({ fetch: app.fetch, port: config.HUB_PORT, hostname: config.HUB_HOST }, () => resolve(s));
  });
  const port = (server.address() as AddressInfo).port;
  logger.info({ port, publicUrl }, 'hub listening');

  return {
    port,
    publicUrl,
    async stop() {
      clearInterval(prune);
      await new Promise<void>((resolve) => server.close(() => resolve()));
      payoutWaker.stop();
      shareEmailWaker.stop();
      await dispatcher.stop();
      await connection.close();
      await handle.close();
    },
  };
}
