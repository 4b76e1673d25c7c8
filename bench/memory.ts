import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { Connection } from '@temporalio/client';
import { findTemporalCli } from '../lib/find-temporal-cli.js';
import { startTemporalDevServer } from '../lib/start-temporal-dev-server.js';
import { loadTemporalSettings } from '../lib/temporal-settings.js';
import { benchDatabase, startProcess } from './bench-support.js';
import { ensureDistBuild } from './ensure-dist-build.js';

/**
 * Resident memory of an idle deployment as production runs it: `npm run build`, then the hub
 * (node dist/hub/main.js) and a worker (node dist/workflows/worker/main.js) started from dist/
 * with plain node against a fresh database and a Temporal dev server. Once both are ready and
 * have idled for a while, prints VmRSS (resident now) and VmHWM (peak resident, which for the
 * worker includes bundling the workflow code at start) of each from /proc/<pid>/status.
 */
const TARGET_MB = 250;
const IDLE_MS = Number(process.env.BENCH_MEMORY_IDLE_MS ?? 10_000);

function memoryOf(pid: number): { rssMb: number; hwmMb: number; anonMb: number; fileMb: number } {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = (field: string) => Number(new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? NaN);
  // RssFile is mostly the node binary and native addons, mapped from disk and shared between processes.
  return { rssMb: kb('VmRSS') / 1024, hwmMb: kb('VmHWM') / 1024, anonMb: kb('RssAnon') / 1024, fileMb: kb('RssFile') / 1024 };
}

export async function benchMemory() {
  ensureDistBuild('memory');
  const db = await benchDatabase();
  const settings = loadTemporalSettings();
  const temporal = await startTemporalDevServer(await findTemporalCli(settings), settings, { port: 17_233 + (process.pid % 1000) });
  const port = 18_000 + (process.pid % 1000);
  const env = {
    DATABASE_URL: db.url,
    TEMPORAL_ADDRESS: temporal.address,
    HUB_PORT: String(port),
    HUB_HOST: '127.0.0.1',
    HUB_SECRET_KEY: randomBytes(32).toString('hex'),
    HUB_BOOTSTRAP_API_KEY: `rh_bench_${randomBytes(16).toString('hex')}`,
    NODE_ENV: 'production',
    LOG_LEVEL: 'warn',
  };
  const children: Awaited<ReturnType<typeof startProcess>>[] = [];
  const connection = await Connection.connect({ address: temporal.address });
  try {
    const started = performance.now();
    children.push(
      await startProcess(['dist/hub/main.js'], env, async () => (await fetch(`http://127.0.0.1:${port}/healthz`)).ok, { tsx: false }),
    );
    const hubReadyAt = performance.now();
    // The worker is ready once it polls its task queue for workflow tasks.
    children.push(
      await startProcess(
        ['dist/workflows/worker/main.js'],
        env,
        async () => {
          const answer = await connection.workflowService.describeTaskQueue({
            namespace: settings.namespace,
            taskQueue: { name: settings.taskQueues.lifecycle },
            taskQueueType: 1, // TASK_QUEUE_TYPE_WORKFLOW
          });
          return (answer.pollers ?? []).length > 0;
        },
        { tsx: false },
      ),
    );
    const workerReadyAt = performance.now();
    await new Promise((r) => setTimeout(r, IDLE_MS));
    const [hub, worker] = children.map((c) => memoryOf(c.pid!)) as [ReturnType<typeof memoryOf>, ReturnType<typeof memoryOf>];

    console.log(`memory: hub and worker from dist/ (plain node ${process.version}), idle ${IDLE_MS / 1000} s after ready`);
    console.log(`  hub    ready in ${((hubReadyAt - started) / 1000).toFixed(1)} s`);
    console.log(`  worker ready in ${((workerReadyAt - hubReadyAt) / 1000).toFixed(1)} s`);
    for (const [name, m] of [
      ['hub   ', hub],
      ['worker', worker],
    ] as const)
      console.log(
        `  ${name} VmRSS ${m.rssMb.toFixed(0).padStart(4)} MB  VmHWM ${m.hwmMb.toFixed(0).padStart(4)} MB` +
          `  (RssAnon ${m.anonMb.toFixed(0)} MB, RssFile ${m.fileMb.toFixed(0)} MB)  target VmRSS < ${TARGET_MB} MB${m.rssMb < TARGET_MB ? '' : '  MISSED'}`,
      );
    return { hub, worker };
  } finally {
    await connection.close();
    for (const child of children.reverse()) {
      if (child.exitCode !== null) continue;
      const exited = new Promise((r) => child.once('exit', r));
      child.kill('SIGTERM');
      await exited;
    }
    await temporal.stop();
    await db.drop();
  }
}
