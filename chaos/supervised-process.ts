import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream } from 'node:fs';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('..', import.meta.url));

export interface SupervisedProcess {
  readonly name: string;
  /** Times it was started again after it died. */
  readonly restarts: number;
  /** Exits nobody asked for (not a SIGKILL from the soak, not a stop). */
  readonly unexpectedExits: number;
  start(): Promise<void>;
  /** `kill -9`; the supervisor starts it again after its restart delay, as a process manager would. */
  kill9(): Promise<void>;
  /** Stops it for good (SIGTERM, then SIGKILL after 10 s). */
  stop(): Promise<void>;
  /** Resolves once the process answers its readiness check again. */
  waitReady(timeoutMs: number): Promise<void>;
}

export interface SupervisedProcessOptions {
  name: string;
  /** Node arguments, run through tsx from the repository root. */
  args: string[];
  env: Record<string, string>;
  logFile: string;
  ready: () => Promise<boolean>;
  restartDelayMs: () => number;
  log: (message: string) => void;
}

/** A hub or worker process kept running the way systemd or Kubernetes would: restarted whenever it dies. */
export function superviseProcess(options: SupervisedProcessOptions): SupervisedProcess {
  const logStream = createWriteStream(options.logFile, { flags: 'a' });
  let child: ChildProcess | undefined;
  let wanted = false;
  let killing = false;
  let restarts = 0;
  let unexpectedExits = 0;
  let restartTimer: NodeJS.Timeout | undefined;

  const spawnChild = () => {
    const started = spawn(process.execPath, ['--import', 'tsx', ...options.args], {
      cwd: ROOT,
      env: { ...process.env, ...options.env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    started.stdout?.pipe(logStream, { end: false });
    started.stderr?.pipe(logStream, { end: false });
    started.once('exit', (code, signal) => {
      logStream.write(`\n--- ${options.name} exited (${signal ?? code}) at ${new Date().toISOString()}\n`);
      if (child === started) child = undefined;
      if (!killing && wanted) {
        unexpectedExits++;
        options.log(`${options.name} exited by itself (${signal ?? code}); restarting`);
      }
      killing = false;
      if (wanted) {
        restartTimer = setTimeout(() => {
          if (!wanted) return;
          restarts++;
          child = spawnChild();
        }, options.restartDelayMs());
      }
    });
    return started;
  };

  const waitReady = async (timeoutMs: number) => {
    const deadline = Date.now() + timeoutMs;
    while (!(await options.ready().catch(() => false))) {
      if (Date.now() > deadline) throw new Error(`${options.name} not ready after ${timeoutMs} ms`);
      await new Promise((r) => setTimeout(r, 200));
    }
  };

  return {
    name: options.name,
    get restarts() {
      return restarts;
    },
    get unexpectedExits() {
      return unexpectedExits;
    },
    async start() {
      wanted = true;
      child = spawnChild();
      await waitReady(120_000);
    },
    async kill9() {
      const current = child;
      if (!current || current.exitCode !== null) return;
      killing = true;
      const exited = new Promise((resolve) => current.once('exit', resolve));
      current.kill('SIGKILL');
      await exited;
    },
    async stop() {
      wanted = false;
      clearTimeout(restartTimer);
      const current = child;
      if (!current || current.exitCode !== null || current.signalCode !== null) return;
      const exited = new Promise((resolve) => current.once('exit', resolve));
      current.kill('SIGTERM');
      const force = setTimeout(() => current.kill('SIGKILL'), 10_000);
      await exited;
      clearTimeout(force);
    },
    waitReady,
  };
}
