import { randomUUID } from 'node:crypto';
import { Client, Connection } from '@temporalio/client';
import { DefaultLogger, NativeConnection, Runtime } from '@temporalio/worker';
import { inject } from 'vitest';
import type { DestinationStream } from 'pino';
import { createLogger } from '../../lib/logger.js';
import { TEMPORAL_CLIENT_CHANNEL_ARGS } from '../../lib/temporal-client-channel-args.js';
import { temporalReady } from '../../lib/temporal-ready.js';
import { createDb, createSession, type DbHandle } from '../../schema/db.js';
import { createApp, type HubApp } from '../../hub/create-app.js';
import type { HubDeps } from '../../hub/services/hub-deps.js';
import { createLifecycleDispatcher, type LifecycleDispatcher } from '../../workflows/dispatch/lifecycle-dispatcher.js';
import { createConnectorWaker } from '../../workflows/dispatch/connector-waker.js';
import { createPayoutWaker, type PayoutWaker } from '../../workflows/dispatch/payout-waker.js';
import { createShareEmailWaker, type ShareEmailWaker } from '../../workflows/dispatch/share-email-waker.js';
import { derivePurposeKey } from '../../lib/purpose-key.js';
import { UNSUBSCRIBE_KEY_PURPOSE } from '../../lib/unsubscribe-token.js';
import { createSecretBox } from '../../connectors/security/secret-box.js';
import { deriveSecretKey } from '../../lib/secret-key.js';
import { createWorker, type HubWorker } from '../../workflows/worker/create-worker.js';
import { createTestDatabase } from './test-database.js';

export const TEST_ADMIN_KEY = 'rh_test_bootstrap_key_0123456789abcdef';
export const TEST_SECRET_KEY = 'test-secret-key-for-sealing-connector-secrets';

export interface Harness {
  app: HubApp;
  db: DbHandle;
  databaseUrl: string;
  client: Client;
  dispatcher: LifecycleDispatcher;
  /** Wakes payouts waiting for a provider; its periodic sweep is not started in tests. */
  payoutWaker: PayoutWaker;
  /** Starts invite workflows; tests call its sweep() themselves (no periodic sweep runs). */
  shareEmailWaker: ShareEmailWaker;
  /** The key unsubscribe links are signed with (hub and in-process worker). */
  unsubscribeKey: Buffer;
  taskQueue: string;
  /** `app.request` with the admin key and JSON body; returns status and parsed body. */
  call(
    method: string,
    path: string,
    body?: unknown,
    headers?: Record<string, string>,
  ): Promise<{ status: number; body: any; headers: Headers }>;
  startWorker(): Promise<HubWorker>;
  stopWorker(): Promise<void>;
  close(): Promise<void>;
}

/**
 * A hub wired like production against the test file's own database and the shared Temporal
 * dev server, with a task queue of its own so files never steal each other's work.
 */
let runtimeInstalled = false;

export async function createHarness(
  opts: {
    temporalAddress?: string;
    worker?: boolean;
    sweepMs?: number;
    allowPrivateTargets?: boolean;
    syncBackoffMs?: number[];
    syncDisableAfter?: number;
    /** Where the hub's (and in-process worker's) JSON log lines go, and from which level; tests that read logs set both. */
    logDestination?: DestinationStream;
    logLevel?: string;
    /** Dispatcher watchdog / stall bound, its session's statement deadline, and /readyz's backlog bound. */
    dispatcherStallAfterMs?: number;
    dispatcherStatementTimeoutMs?: number;
    readyMaxBacklogAgeMs?: number;
    /** HUB_DISPATCH: 'off' builds the dispatcher paused (facts accepted, none handed to Temporal). */
    dispatch?: 'on' | 'off';
    /** How long an export may wait for its client to read before it is dropped. */
    exportIdleTimeoutMs?: number;
    /** Inbound webhook settings (STRIPE_WEBHOOK_SECRET, HUBSPOT_*), passed to the app as config would be. */
    webhooks?: Pick<HubDeps, 'stripeWebhookSecret' | 'hubspotAppSecret' | 'hubspotQualifiedStages' | 'hubspotApprovedStages'>;
    /** HUB_PUBLIC_URL as the app sees it (default http://hub.test). */
    publicUrl?: string;
    /** HUB_SESSION_IDLE in ms: console sessions unused this long end. */
    consoleIdleMs?: number;
    /** HUB_TRUSTED_PROXIES, parsed. */
    trustedProxies?: string[];
    /** Limits of the public tracking endpoints, per minute (the defaults otherwise). */
    trackRateLimits?: HubDeps['trackRateLimits'];
  } = {},
): Promise<Harness> {
  if (!runtimeInstalled) {
    // Once per process and before any worker: keep the SDK's INFO chatter out of test output.
    Runtime.install({ logger: new DefaultLogger('WARN') });
    runtimeInstalled = true;
  }
  const databaseUrl = await createTestDatabase();
  const db = createDb(databaseUrl, { max: 8 });
  // The worker gets a pool of its own, as it has in production (its own process): on one small
  // pool, a burst's lifecycle transactions queued ahead of every API request, which no
  // deployment sees (readers waited seconds on a loaded machine).
  let workerDb: DbHandle | undefined;
  const logger = createLogger(opts.logLevel ?? process.env.TEST_LOG_LEVEL ?? 'silent', opts.logDestination);
  const connection = await Connection.connect({
    address: opts.temporalAddress ?? inject('temporalAddress'),
    channelArgs: TEMPORAL_CLIENT_CHANNEL_ARGS,
  });
  const client = new Client({ connection, namespace: 'default' });
  const taskQueue = `test-${randomUUID()}`;
  const secretBox = createSecretBox(deriveSecretKey(TEST_SECRET_KEY));
  // Seconds instead of the production schedule, so retry paths run inside a test.
  const connectorWaker = createConnectorWaker({
    db: db.db,
    client,
    taskQueue,
    logger,
    backoffMs: opts.syncBackoffMs ?? [500, 1000, 2000],
    disableAfter: opts.syncDisableAfter ?? 5,
  });
  const payoutWaker = createPayoutWaker({ db: db.db, client, taskQueue, logger });
  const shareEmailWaker = createShareEmailWaker({ db: db.db, client, taskQueue, logger });
  const unsubscribeKey = derivePurposeKey(TEST_SECRET_KEY, UNSUBSCRIBE_KEY_PURPOSE);
  const dispatcher = createLifecycleDispatcher({
    openSession: () =>
      createSession(databaseUrl, {
        applicationName: 'referral-hub-dispatcher',
        statementTimeoutMs: opts.dispatcherStatementTimeoutMs ?? 15_000,
      }),
    client,
    taskQueue,
    logger,
    callTimeoutMs: 3000,
    afterBatch: connectorWaker.eventsCommitted,
    stallAfterMs: opts.dispatcherStallAfterMs ?? 20_000,
    paused: opts.dispatch === 'off',
  });
  dispatcher.start(opts.sweepMs ?? 300);
  const app = createApp({
    db: db.db,
    sql: db.sql,
    logger,
    publicUrl: opts.publicUrl ?? 'http://hub.test',
    dispatcher,
    connectorWaker,
    payoutWaker,
    shareEmailWaker,
    temporal: { client, taskQueue },
    bootstrapApiKey: TEST_ADMIN_KEY,
    secretBox,
    unsubscribeKey,
    allowPrivateTargets: opts.allowPrivateTargets ?? true,
    bodyLimitBytes: 1_048_576,
    ipHashSalt: 'test-salt',
    pageSecret: 'test-page-secret',
    consoleSecret: 'test-console-secret',
    consoleIdleMs: opts.consoleIdleMs,
    temporalUiUrl: 'http://temporal-ui.test',
    trustedProxies: opts.trustedProxies,
    trackRateLimits: opts.trackRateLimits,
    readyMaxBacklogAgeMs: opts.readyMaxBacklogAgeMs,
    exportIdleTimeoutMs: opts.exportIdleTimeoutMs,
    temporalReady: () => temporalReady(connection),
    ...opts.webhooks,
  });

  let worker: HubWorker | undefined;
  let running: Promise<void> | undefined;
  let nativeConnection: NativeConnection | undefined;

  const harness: Harness = {
    app,
    db,
    databaseUrl,
    client,
    dispatcher,
    payoutWaker,
    shareEmailWaker,
    unsubscribeKey,
    taskQueue,
    async call(method, path, body, headers = {}) {
      const res = await app.request(path, {
        method,
        headers: {
          authorization: `Bearer ${TEST_ADMIN_KEY}`,
          ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
          ...headers,
        },
        body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
      });
      const text = await res.text();
      let parsed: unknown = text;
      try {
        parsed = text ? JSON.parse(text) : null;
      } catch {
        /* not JSON */
      }
      return { status: res.status, body: parsed, headers: res.headers };
    },
    async startWorker() {
      // createHarness starts one: a second would run unstopped after close (and poll a closed database).
      if (worker && worker.getState() === 'RUNNING') return worker;
      // A worker per connection: a restarted worker on the old worker's connection was seen
      // polling without ever receiving tasks.
      nativeConnection = await NativeConnection.connect({ address: inject('temporalAddress') });
      // Options as run-worker sets them; kept across worker restarts, closed with the harness.
      workerDb ??= createDb(databaseUrl, { statementTimeoutMs: 60_000, idleInTransactionTimeoutMs: 60_000 });
      worker = await createWorker({
        connection: nativeConnection,
        namespace: 'default',
        taskQueue,
        db: workerDb.db,
        sql: workerDb.sql,
        secretBox,
        unsubscribeKey,
        logger,
        publicUrl: opts.publicUrl ?? 'http://hub.test',
        allowPrivateTargets: opts.allowPrivateTargets ?? true,
        workflowBundle: { codePath: inject('workflowBundlePath') },
      });
      running = worker.run().catch((err) => {
        console.error('WORKER RUN FAILED', err);
        throw err;
      });
      return worker;
    },
    async stopWorker() {
      if (worker && worker.getState() === 'RUNNING') worker.shutdown();
      await running;
      await nativeConnection?.close();
      nativeConnection = undefined;
      worker = undefined;
      running = undefined;
    },
    async close() {
      await harness.stopWorker();
      await dispatcher.stop();
      await nativeConnection?.close();
      await connection.close();
      await workerDb?.close();
      await db.close();
    },
  };
  if (opts.worker !== false) await harness.startWorker();
  return harness;
}

/** Polls until `check` returns a value that is not undefined/false, or fails after `timeoutMs`. */
export async function waitFor<T>(check: () => Promise<T | undefined | false>, timeoutMs = 15_000, what = 'condition'): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const value = await check();
      if (value !== undefined && value !== false) return value;
    } catch (err) {
      last = err;
    }
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}${last ? `: ${String(last)}` : ''}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}
