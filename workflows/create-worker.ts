import { fileURLToPath } from 'node:url';
import { NativeConnection, Worker, type WorkflowBundleOption } from '@temporalio/worker';
import type { SecretBox } from '../connectors/security/secret-box.js';
import type { Logger } from '../lib/logger.js';
import type { Db, Sql } from '../schema/db.js';
import { createLifecycleActivities } from './activities/create-lifecycle-activities.js';
import { createSyncActivities } from './activities/create-sync-activities.js';
import { createDeliveryActivities } from './activities/create-delivery-activities.js';

export const WORKFLOWS_PATH = fileURLToPath(new URL('./index.ts', import.meta.url));

export interface WorkerDeps {
  connection: NativeConnection;
  namespace: string;
  taskQueue: string;
  db: Db;
  sql: Sql;
  secretBox: SecretBox;
  publicUrl: string;
  allowPrivateTargets: boolean;
  logger: Logger;
  /** A prebuilt bundle (tests build one per run); otherwise the worker bundles workflows/index.ts. */
  workflowBundle?: WorkflowBundleOption;
}

/** A worker for every workflow and activity of the hub, on one task queue. */
export function createWorker(deps: WorkerDeps): Promise<Worker> {
  return Worker.create({
    connection: deps.connection,
    namespace: deps.namespace,
    taskQueue: deps.taskQueue,
    ...(deps.workflowBundle ? { workflowBundle: deps.workflowBundle } : { workflowsPath: WORKFLOWS_PATH }),
    activities: {
      ...createLifecycleActivities({ db: deps.db }),
      ...createSyncActivities({
        db: deps.db, sql: deps.sql, secretBox: deps.secretBox, publicUrl: deps.publicUrl,
        allowPrivateTargets: deps.allowPrivateTargets, logger: deps.logger,
      }),
      ...createDeliveryActivities({ db: deps.db, sql: deps.sql, secretBox: deps.secretBox, allowPrivateTargets: deps.allowPrivateTargets }),
    },
    // Small machines: keep the cache bounded instead of sizing it from the heap limit.
    maxCachedWorkflows: 1000,
    maxConcurrentActivityTaskExecutions: 50,
    shutdownGraceTime: '10s',
  });
}
