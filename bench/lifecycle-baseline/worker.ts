import { DefaultLogger, NativeConnection, Runtime, Worker } from '@temporalio/worker';
import postgres from 'postgres';
import type { BaselineActivities } from './workflow.js';

/**
 * The baseline's worker, run as its own process (like the hub's worker) so the CPU meter can
 * tell them apart. Sized like the hub's lifecycle worker (create-worker.ts): same workflow
 * cache, same activity slots, a 10-connection pool like the worker's.
 */
const { DATABASE_URL, TEMPORAL_ADDRESS, BASELINE_TASK_QUEUE, BASELINE_TABLE, BASELINE_WORKFLOW_BUNDLE } = process.env;
if (!DATABASE_URL || !TEMPORAL_ADDRESS || !BASELINE_TASK_QUEUE || !BASELINE_TABLE || !BASELINE_WORKFLOW_BUNDLE) {
  throw new Error('DATABASE_URL, TEMPORAL_ADDRESS, BASELINE_TASK_QUEUE, BASELINE_TABLE and BASELINE_WORKFLOW_BUNDLE are required');
}

Runtime.install({ logger: new DefaultLogger('WARN') });
const sql = postgres(DATABASE_URL, { max: 10, onnotice: () => {} });
const activities: BaselineActivities = {
  async insertConversion(conversionId) {
    await sql`insert into ${sql(BASELINE_TABLE)} (id) values (${conversionId}) on conflict do nothing`;
  },
};
const connection = await NativeConnection.connect({ address: TEMPORAL_ADDRESS });
const worker = await Worker.create({
  connection,
  namespace: 'default',
  taskQueue: BASELINE_TASK_QUEUE,
  // Bundled by the benchmark (like the hub's worker's), so both start alike.
  workflowBundle: { codePath: BASELINE_WORKFLOW_BUNDLE },
  activities,
  maxCachedWorkflows: 1000,
  maxConcurrentActivityTaskExecutions: 50,
  shutdownGraceTime: '5s',
});
await worker.run();
await sql.end();
await connection.close();
