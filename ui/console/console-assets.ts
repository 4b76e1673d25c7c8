import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import type { Hono } from 'hono';
import type { HubEnv } from '../../hub/http/hub-env.js';
import { CONSOLE_CSS, CONSOLE_CSS_VERSION } from './console-css.js';

const require = createRequire(import.meta.url);
const HTMX_VERSION = (require('htmx.org/package.json') as { version: string }).version;

/** htmx from its npm package, served by the hub under a versioned path (no CDN). */
export const HTMX_PATH = `/ui/assets/htmx-${HTMX_VERSION}.min.js`;

let htmxSource: string | undefined;
const IMMUTABLE = 'public, max-age=31536000, immutable';

/** The stylesheet and htmx, cacheable for a year: their URLs change when their content does. */
export function registerConsoleAssets(app: Hono<HubEnv>) {
  app.get(`/ui/assets/console.${CONSOLE_CSS_VERSION}.css`, (c) =>
    c.body(CONSOLE_CSS, 200, { 'content-type': 'text/css; charset=utf-8', 'cache-control': IMMUTABLE }),
  );
  // Browsers ask for it on every site; an empty answer instead of a 404 in every console's log.
  app.get('/favicon.ico', (c) => c.body(null, 204, { 'cache-control': 'public, max-age=86400' }));
  app.get(HTMX_PATH, (c) => {
    htmxSource ??= readFileSync(require.resolve('htmx.org/dist/htmx.min.js'), 'utf8');
    return c.body(htmxSource, 200, { 'content-type': 'text/javascript; charset=utf-8', 'cache-control': IMMUTABLE });
  });
}
