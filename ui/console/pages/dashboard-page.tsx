import type { Hono } from 'hono';
import type { ConsoleDeps } from '../console-deps.js';
import type { ConsoleEnv } from '../console-env.js';
import { consolePage } from '../console-page.js';

/** The landing page after sign-in: how the programs are doing and what needs attention. */
export function registerDashboardPage(ui: Hono<ConsoleEnv>, _deps: ConsoleDeps) {
  ui.get('/', (c) => consolePage(c, 'Dashboard', <p>Welcome.</p>));
}
