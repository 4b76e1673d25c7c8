import type { Hono } from 'hono';
import type { ConsoleDeps } from './console-deps.js';
import type { ConsoleEnv } from './console-env.js';
import { registerDashboardPage } from './pages/dashboard-page.js';
import { registerProgramPages } from './pages/program-pages.js';
import { registerPeoplePages } from './pages/people-pages.js';
import { registerConnectorPages } from './pages/connector-pages.js';
import { registerInboundPages } from './pages/inbound-pages.js';
import { registerAdminPages } from './pages/admin-pages.js';

export type RegisterPages = (ui: Hono<ConsoleEnv>, deps: ConsoleDeps) => void;

/** Every group of console pages, mounted under /ui (paths here are relative to it). */
export const CONSOLE_PAGES: RegisterPages[] = [
  registerDashboardPage,
  registerProgramPages,
  registerPeoplePages,
  registerConnectorPages,
  registerInboundPages,
  registerAdminPages,
];
