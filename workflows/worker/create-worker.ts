import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { bundleWorkflowCode, NativeConnection, Worker, type State, type WorkflowBundleOption } from '@temporalio/worker';
import type { SecretBox } from '../../connectors/security/secret-box.js';
import type { Logger } from '../../lib/logger.js';
import type { Db, Sql } from '../../schema/db.js';
import { createLifecycleActivities } from '../activities/create-lifecycle-activities.js';
import { createSyncActivities } from '../activities/create-sync-activities.js';
import { createDeliveryActivities } from '../activities/create-delivery-activities.js';
import { createHubSpotActivities } from '../activities/create-hubspot-activities.js';
import { createRecoveryActivities } from '../activities/create-recovery-activities.js';
import { createPayoutActivities } from '../activities/create-payout-activities.js';
import { createShareEmailActivities } from '../activities/create-share-email-activities.js';
import { syncTaskQueue } from '../sandboxed/sync-task-queue.js';

// Next to this file: index.ts under tsx, index.js in a compiled build (npm run build).
export const WORKFLOWS_PATH = fileURLToPath(
  new URL(import.meta.url.endsWith('.ts') ? '../sandboxed/index.ts' : '../sandboxed/index.js', import.meta.url),
);

// Written by `npm run build` (lib/bundle-workflows.ts) next to the compiled workflows: a worker
// started from dist/ loads it instead of bundling at start, which takes seconds and leaves the
// bundler's ~90 MB behind in the process for good.
export const PREBUILT_BUNDLE = fileURLToPath(new URL('../workflow-bundle.js', import.meta.url));

// The bundler reports every step at INFO; only its warnings and errors are worth a line.
const quietBundlerLogger = { trace() {}, debug() {}, info() {}, warn: console.warn, error: console.error, log() {} } as never;

export interface WorkerDeps {
  connection: NativeConnection;
  namespace: string;
  /** The lifecycle task queue; the sync queue is derived from it (syncTaskQueue). */
  taskQueue: string;
  db: Db;
  sql: Sql;
  secretBox: SecretBox;
  publicUrl: string;
  /** Signs the unsubscribe links in share emails (derived from HUB_SECRET_KEY, like the hub's). */
  unsubscribeKey: Buffer;
  allowPrivateTargets: boolean;
  logger: Logger;
  /** A prebuilt bundle (tests build one per run); otherwise dist's PREBUILT_BUNDLE, or the worker bundles workflows/sandboxed/ itself. */
  workflowBundle?: WorkflowBundleOption;
}

/** The process's Temporal workers, run and stopped as one. */
export interface HubWorker {
  run(): Promise<void>;
  shutdown(): void;
  getState(): State;
}

/**
 * Two workers on one connection: one polls the lifecycle task queue, one the sync task queue
 * (connector syncs, scheduled deliveries, HubSpot deal lookups, share emails), so neither kind of work waits
 * behind the other. Both
 * carry every workflow and activity: a sync or schedule started on the lifecycle queue by an
 * earlier version still runs there.
 */
export async function createWorker(deps: WorkerDeps): Promise<HubWorker> {
  const activities = {
    ...createLifecycleActivities({ db: deps.db }),
    ...createSyncActivities({
      db: deps.db,
      sql: deps.sql,
      secretBox: deps.secretBox,
      publicUrl: deps.publicUrl,
      allowPrivateTargets: deps.allowPrivateTargets,
      logger: deps.logger,
    }),
    ...createDeliveryActivities({ db: deps.db, sql: deps.sql, secretBox: deps.secretBox, allowPrivateTargets: deps.allowPrivateTargets }),
    ...createHubSpotActivities({ db: deps.db, sql: deps.sql, secretBox: deps.secretBox, allowPrivateTargets: deps.allowPrivateTargets }),
    ...createRecoveryActivities({ sql: deps.sql }),
    ...createPayoutActivities({
      db: deps.db,
      secretBox: deps.secretBox,
      allowPrivateTargets: deps.allowPrivateTargets,
      logger: deps.logger,
    }),
    ...createShareEmailActivities({
      db: deps.db,
      secretBox: deps.secretBox,
      allowPrivateTargets: deps.allowPrivateTargets,
      publicUrl: deps.publicUrl,
      unsubscribeKey: deps.unsubscribeKey,
      logger: deps.logger,
    }),
  };
  const prebuilt = !import.meta.url.endsWith('.ts') && existsSync(PREBUILT_BUNDLE) ? { codePath: PREBUILT_BUNDLE } : undefined;
  const bundle =
    deps.workflowBundle ?? prebuilt ?? (await bundleWorkflowCode({ workflowsPath: WORKFLOWS_PATH, logger: quietBundlerLogger }));
  const create = (taskQueue: string, maxCachedWorkflows: number, maxConcurrentActivityTaskExecutions: number) =>
    Worker.create({
      connection: deps.connection,
      namespace: deps.namespace,
      taskQueue,
      workflowBundle: bundle,
      activities,
      // Small machines: keep the cache bounded instead of sizing it from the heap limit.
      maxCachedWorkflows,
      maxConcurrentActivityTaskExecutions,
      shutdownGraceTime: '10s',
    });
  const workers = [
    await create(deps.taskQueue, 1000, 50),
    // A few long-lived workflows (one per connector or schedule run), each with long activities.
    await create(syncTaskQueue(deps.taskQueue), 200, 20),
  ];
  const shutdown = () => {
    for (const w of workers) if (w.getState() === 'RUNNING') w.shutdown();
  };
  return {
    // One failing takes the other down with it: half a worker would look alive and do half the work.
    run: async () => {
      await Promise.all(
        workers.map((w) =>
          w.run().catch((err) => {
            shutdown();
            throw err;
          }),
        ),
      );
    },
    shutdown,
    getState: () => workers[0]!.getState(),
  };
}
