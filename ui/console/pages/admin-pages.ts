import type { Hono } from 'hono';
import type { ConsoleDeps } from '../console-deps.js';
import type { ConsoleEnv } from '../console-env.js';
import { registerApiKeyPages } from './api-key-pages.js';
import { registerExportPages } from './export-pages.js';
import { registerSchedulePages } from './schedule-pages.js';
import { registerUserPages } from './user-pages.js';

/** Schedules, exports, API keys and users: the console's operations pages. */
export function registerAdminPages(ui: Hono<ConsoleEnv>, deps: ConsoleDeps) {
  registerSchedulePages(ui, deps);
  registerExportPages(ui, deps);
  registerApiKeyPages(ui, deps);
  registerUserPages(ui, deps);
}
