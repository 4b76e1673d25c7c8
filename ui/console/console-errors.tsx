import type { Context } from 'hono';
import { ZodError } from 'zod';
import { ApiError } from '../../hub/http/api-error.js';
import type { Logger } from '../../lib/logger.js';
import { consolePage } from './console-page.js';
import type { ConsoleEnv } from './console-env.js';

/**
 * Errors on console pages as pages: a missing or foreign record is "Not found" (never a hint that
 * it exists in another program), a refused action says why, and anything else is logged and
 * shown as our fault without details.
 */
export function consoleErrorHandler(logger: Logger) {
  return (err: Error, c: Context<ConsoleEnv>) => {
    const signedIn = c.get('user') !== undefined;
    const show = (status: 403 | 404 | 409 | 422 | 500, title: string, message: string) =>
      signedIn ? consolePage(c, title, <p class="alert">{message}</p>, status) : c.text(message, status);
    if (err instanceof ApiError) {
      if (err.status === 404) return show(404, 'Not found', err.message);
      if (err.status === 403) return show(403, 'Not allowed', err.message);
      if (err.status === 409) return show(409, 'Not possible now', err.message);
      if (err.status < 500) return show(422, 'Not valid', err.message);
    }
    if (err instanceof ZodError) return show(422, 'Not valid', err.issues.map((i) => i.message).join('; '));
    logger.error({ err, method: c.req.method, path: new URL(c.req.url).pathname }, 'console error');
    return show(500, 'Something went wrong', 'Something went wrong on our side. The error is in the hub log.');
  };
}
