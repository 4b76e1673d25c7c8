import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { inject } from 'vitest';
import { TEST_SECRET_KEY, type Harness } from './hub-harness.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));

/**
 * `npm run worker` as a real separate process on the harness's database and task queue, so a
 * test can kill it with SIGKILL the way a crash or a deploy would.
 */
export function startWorkerProcess(h: Harness): { child: ChildProcess; kill(): Promise<void> } {
  const child = spawn(process.execPath, ['--import', 'tsx', 'workflows/worker/main.ts'], {
    cwd: ROOT,
    stdio: ['ignore', 'ignore', 'inherit'],
    env: {
      ...process.env,
      DATABASE_URL: h.databaseUrl,
      TEMPORAL_ADDRESS: inject('temporalAddress'),
      TEMPORAL_TASK_QUEUE: h.taskQueue,
      TEMPORAL_WORKFLOW_BUNDLE: inject('workflowBundlePath'),
      HUB_SECRET_KEY: TEST_SECRET_KEY,
      HUB_ALLOW_PRIVATE_TARGETS: 'true',
      LOG_LEVEL: 'error',
    },
  });
  return {
    child,
    async kill() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGKILL');
      await exited;
    },
  };
}
