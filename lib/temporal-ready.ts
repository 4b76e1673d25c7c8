import type { Connection } from '@temporalio/client';

/** Temporal health for /readyz, bounded so a dead server answers "no" quickly instead of hanging. */
export function temporalReady(connection: Connection, timeoutMs = 2000): Promise<boolean> {
  return connection
    .withDeadline(Date.now() + timeoutMs, () => connection.healthService.check({}))
    .then(
      () => true,
      () => false,
    );
}
