import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { inject } from 'vitest';
import { TEST_SECRET_KEY, waitFor, type Harness } from './hub-harness.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));

export interface WorkerProcess {
  child: ChildProcess;
  /** Everything it printed so far (stdout and stderr), when started with `captureOutput`. */
  output(): string;
  /** Resolves once the worker says it polls; throws if it exits first. */
  started(timeoutMs?: number): Promise<void>;
  kill(signal?: NodeJS.Signals): Promise<void>;
}

/**
 * `npm run worker` as a real separate process on the harness's database and task queue, so a
 * test can kill it with SIGKILL the way a crash or a deploy would, or read every line it logs.
 */
export function startWorkerProcess(
  h: Harness,
  options: { logLevel?: string; captureOutput?: boolean; temporalAddress?: string; env?: Record<string, string> } = {},
): WorkerProcess {
  const capture = options.captureOutput ?? false;
  const child = spawn(process.execPath, ['--import', 'tsx', 'workflows/worker/main.ts'], {
    cwd: ROOT,
    stdio: ['ignore', capture ? 'pipe' : 'ignore', capture ? 'pipe' : 'inherit'],
    env: {
      ...process.env,
      DATABASE_URL: h.databaseUrl,
      TEMPORAL_ADDRESS: options.temporalAddress ?? inject('temporalAddress'),
      TEMPORAL_TASK_QUEUE: h.taskQueue,
      TEMPORAL_WORKFLOW_BUNDLE: inject('workflowBundlePath'),
      HUB_SECRET_KEY: TEST_SECRET_KEY,
      HUB_ALLOW_PRIVATE_TARGETS: 'true',
      LOG_LEVEL: options.logLevel ?? (capture ? 'info' : 'error'),
      ...options.env,
    },
  });
  const chunks: string[] = [];
  for (const stream of [child.stdout, child.stderr]) stream?.on('data', (chunk: Buffer) => chunks.push(chunk.toString()));
  const output = () => chunks.join('');
  return {
    child,
    output,
    async started(timeoutMs = 60_000) {
      if (!capture) throw new Error('started() reads the log: start the worker with captureOutput');
      await waitFor(
        async () => {
          if (child.exitCode !== null) throw new Error(`worker exited (${child.exitCode}): ${output().slice(-2000)}`);
          return output().includes('worker started');
        },
        timeoutMs,
        'worker process started',
      );
    },
    async kill(signal = 'SIGKILL') {
      if (child.exitCode !== null || child.signalCode !== null) return;
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill(signal);
      await exited;
    },
  };
}
