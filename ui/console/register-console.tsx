import { Hono } from 'hono';
import type { OpenAPIHono } from '@hono/zod-openapi';
import { createClientIp } from '../../hub/http/client-ip.js';
import { createFormTokens } from '../../hub/http/form-tokens.js';
import type { HubEnv } from '../../hub/http/hub-env.js';
import { peerAddress } from '../../hub/http/peer-address.js';
import type { HubDeps } from '../../hub/services/hub-deps.js';
import { createConsoleSessionStore } from '../../hub/console/console-session-store.js';
import { createLoginThrottle } from '../../hub/console/login-throttle.js';
import { createUserService } from '../../hub/console/user-service.js';
import { registerConsoleAssets } from './console-assets.js';
import { roleAtLeast, type ConsoleEnv } from './console-env.js';
import { consoleErrorHandler } from './console-errors.js';
import { consolePage } from './console-page.js';
import { consoleSession, createConsoleCookies } from './console-session.js';
import type { ConsoleDeps } from './console-deps.js';
import { registerLoginRoutes } from './login-routes.js';
import { CONSOLE_PAGES } from './console-pages.js';

const DEFAULT_IDLE_MS = 60 * 60_000;
const MAX_AGE_MS = 12 * 3_600_000;
// Pages only admins may open at all (the others are readable by every role); the inbound log
// holds senders' raw bodies.
const ADMIN_ONLY = ['/ui/users', '/ui/api-keys', '/ui/inbound'];
const SAFE = new Set(['GET', 'HEAD', 'OPTIONS']);

/**
 * The ops console: `/` → `/ui`, sign-in at `/login`, pages under `/ui`. Every /ui request passes
 * the session check (else to /login), the CSRF check on changes, and one role rule: viewers never
 * change anything, and users and API keys are for admins only. Pages call the same services as
 * the API, with the user's role and programs as their principal, so a program-limited user sees
 * exactly what a key limited to those programs would.
 */
export function registerConsole(app: OpenAPIHono<HubEnv>, deps: HubDeps) {
  const secure = deps.publicUrl.startsWith('https:');
  const users = createUserService(deps.db);
  const sessions = createConsoleSessionStore(deps.db, { idleMs: deps.consoleIdleMs ?? DEFAULT_IDLE_MS, maxAgeMs: MAX_AGE_MS });
  const cookies = createConsoleCookies({ secret: deps.consoleSecret, secure });
  const clientIp = createClientIp(deps.trustedProxies ?? []);

  registerConsoleAssets(app);
  registerLoginRoutes(app, {
    users,
    sessions,
    throttle: createLoginThrottle(deps.db),
    cookies,
    formTokens: createFormTokens({ secret: deps.consoleSecret, secure }),
    clientIp: (c) => clientIp(peerAddress(c), c.req.header('x-forwarded-for')),
  });

  const ui = new Hono<ConsoleEnv>();
  // The time the hub spent on a page, for the browser's dev tools and the console benchmark.
  ui.use('*', async (c, next) => {
    const started = performance.now();
    await next();
    c.res.headers.set('server-timing', `app;dur=${(performance.now() - started).toFixed(1)}`);
  });
  ui.use('*', consoleSession(sessions, cookies));
  ui.use('*', async (c, next) => {
    const path = new URL(c.req.url).pathname;
    const role = c.get('user').role;
    const adminOnly = ADMIN_ONLY.some((p) => path === p || path.startsWith(`${p}/`));
    if (adminOnly && !roleAtLeast(role, 'admin'))
      return consolePage(c, 'Not allowed', <p class="alert">Only admins can open this page.</p>, 403);
    if (!SAFE.has(c.req.method) && !roleAtLeast(role, 'editor')) {
      return consolePage(c, 'Not allowed', <p class="alert">Your role ({role}) can look but not change anything.</p>, 403);
    }
    return next();
  });
  const consoleDeps: ConsoleDeps = { ...deps, users, cookies };
  for (const register of CONSOLE_PAGES) register(ui, consoleDeps);
  ui.all('*', (c) => consolePage(c, 'Not found', <p>There is no page at this address.</p>, 404));
  ui.onError(consoleErrorHandler(deps.logger));
  app.route('/ui', ui);
}
