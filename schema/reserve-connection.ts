import type { ReservedSql } from 'postgres';
import type { Sql } from './db.js';

/** No pooled connection became free in time (every one busy, or stuck). */
export class PoolTimeoutError extends Error {
  constructor(timeoutMs: number) {
    super(`no database connection became free within ${timeoutMs} ms`);
    this.name = 'PoolTimeoutError';
  }
}

/**
 * A connection of the pool for the caller alone, waiting at most `timeoutMs` for one to free
 * up. A reservation granted after the deadline goes straight back to the pool.
 */
export function reserveConnection(sql: Sql, timeoutMs: number): Promise<ReservedSql> {
  const reserving = sql.reserve();
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      reserving.then(
        (conn) => conn.release(),
        () => {},
      );
      reject(new PoolTimeoutError(timeoutMs));
    }, timeoutMs);
  });
  return Promise.race([reserving, late]).finally(() => clearTimeout(timer));
}
