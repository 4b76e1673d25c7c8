import type { MiddlewareHandler } from 'hono';
import type { HubEnv } from './hub-env.js';

/**
 * Runs `middleware` on every request except those to exactly one of `paths` (routes that carry
 * their own credential). Exact matches only, so no prefix trick lets another route skip it; the
 * path compared is the one the router matches on.
 */
export function exceptPaths(paths: readonly string[], middleware: MiddlewareHandler<HubEnv>): MiddlewareHandler<HubEnv> {
  const skipped = new Set(paths);
  return (c, next) => (skipped.has(c.req.path) ? next() : middleware(c, next));
}
