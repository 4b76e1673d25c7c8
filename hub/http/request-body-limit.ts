import type { Context, MiddlewareHandler } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import type { HubEnv } from './hub-env.js';

/**
 * Refuses bodies over `maxSize` with `onError`. A request that declares its length is judged by
 * the header alone (Node's parser never delivers more than Content-Length), so the body stays
 * with @hono/node-server's fast path: hono's own bodyLimit touches `raw.body`, which builds a full
 * web Request with a ReadableStream for every request, GETs included. Chunked bodies, whose size
 * is only known by reading them, still go through hono's counting reader.
 */
export function requestBodyLimit(
  maxSize: number,
  onError: (c: Context<HubEnv>) => Response | Promise<Response>,
): MiddlewareHandler<HubEnv> {
  const counting = bodyLimit({ maxSize, onError });
  return async (c, next) => {
    if (c.req.method === 'GET' || c.req.method === 'HEAD') return next();
    const length = c.req.header('content-length');
    if (length !== undefined && c.req.header('transfer-encoding') === undefined) {
      return Number(length) > maxSize ? onError(c) : next();
    }
    return counting(c, next);
  };
}
