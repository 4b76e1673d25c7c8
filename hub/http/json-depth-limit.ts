import type { MiddlewareHandler } from 'hono';
import { errorBody } from './api-error.js';
import type { HubEnv } from './hub-env.js';

/**
 * How deep a JSON text nests, counting only brackets outside strings. A linear scan of the raw
 * text, so a hostile body is measured without building it first.
 */
export function jsonNestingDepth(text: string): number {
  let depth = 0;
  let deepest = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const ch = text.charCodeAt(i);
    if (inString) {
      if (ch === 92 /* \ */) i++;
      else if (ch === 34 /* " */) inString = false;
    } else if (ch === 34) inString = true;
    else if (ch === 123 /* { */ || ch === 91 /* [ */) {
      depth++;
      if (depth > deepest) deepest = depth;
    } else if (ch === 125 /* } */ || ch === 93 /* ] */) depth--;
  }
  return deepest;
}

/**
 * Refuses JSON bodies nested deeper than `maxDepth` with 422: no request of this API needs more,
 * and a body nested thousands of levels deep would otherwise reach the validators, and
 * PostgreSQL's jsonb (whose stack limit turns it into a 500), before anything refused it.
 */
export function jsonDepthLimit(maxDepth: number): MiddlewareHandler<HubEnv> {
  return async (c, next) => {
    if (c.req.method === 'GET' || c.req.method === 'HEAD' || !/json/i.test(c.req.header('content-type') ?? '')) return next();
    // Read through Hono's body cache, so the validators and the idempotency check read it again.
    if (jsonNestingDepth(await c.req.text()) > maxDepth) {
      return c.json(
        errorBody('validation_failed', `The request body is nested deeper than ${maxDepth} levels`, [
          { path: '', message: `nested deeper than ${maxDepth} levels` },
        ]),
        422,
      );
    }
    return next();
  };
}
