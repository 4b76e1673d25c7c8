import { setTimeout as sleep } from 'node:timers/promises';
import type { Logger } from './logger.js';

/**
 * Runs `attempt` until it succeeds, while `isTransient` says its failure is a dependency still
 * starting or restarting (PostgreSQL in crash recovery, Temporal not listening yet), for at most
 * `deadlineMs`. Processes started together with their dependencies, or restarted by a supervisor
 * while one is down, then come up on their own instead of exiting; a failure that waiting will not
 * cure (a wrong password, a missing database) is thrown at once, and so is the last one at the deadline.
 */
export async function waitForDependency<T>(
  name: string,
  attempt: () => Promise<T>,
  opts: { deadlineMs: number; logger: Logger; isTransient: (err: unknown) => boolean; backoffMs?: readonly number[] },
): Promise<T> {
  const backoff = opts.backoffMs ?? [250, 500, 1000, 2000];
  const started = Date.now();
  for (let tries = 0; ; tries++) {
    try {
      const result = await attempt();
      if (tries > 0) opts.logger.info({ dependency: name, waitedMs: Date.now() - started }, `${name} is available`);
      return result;
    } catch (err) {
      const waited = Date.now() - started;
      const pause = backoff[Math.min(tries, backoff.length - 1)]!;
      if (!opts.isTransient(err) || waited + pause > opts.deadlineMs) throw err;
      opts.logger.warn(
        { dependency: name, err: err instanceof Error ? err.message : String(err), waitedMs: waited, deadlineMs: opts.deadlineMs },
        `waiting for ${name}`,
      );
      await sleep(pause);
    }
  }
}
