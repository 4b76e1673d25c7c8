// SQLSTATEs of a server shutting down or still starting, and postgres.js's codes for a connection
// it could not open or lost: the database is away for a moment, not broken.
const UNAVAILABLE_SQLSTATE = /^(57P0[1-3]|08)/;
const UNAVAILABLE_DRIVER = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'CONNECTION_CLOSED',
  'CONNECTION_ENDED',
  'CONNECTION_DESTROYED',
  'CONNECT_TIMEOUT',
]);

/**
 * Whether a request failed because PostgreSQL was unreachable or restarting (drizzle wraps the
 * driver's error; its code sits on the cause). Such a request is answered 503 with Retry-After,
 * so clients and load balancers retry instead of treating it as a bug of ours.
 */
export function isDatabaseUnavailable(err: unknown): boolean {
  for (let e = err as { code?: unknown; cause?: unknown } | undefined, depth = 0; e && depth < 3; e = e.cause as typeof e, depth++) {
    if (typeof e.code === 'string' && (UNAVAILABLE_DRIVER.has(e.code) || UNAVAILABLE_SQLSTATE.test(e.code))) return true;
  }
  return false;
}
