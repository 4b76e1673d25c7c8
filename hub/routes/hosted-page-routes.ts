import type { OpenAPIHono } from '@hono/zod-openapi';
import { createHostedPageKit } from '../http/hosted-page-kit.js';
import type { HubEnv } from '../http/hub-env.js';
import type { HubDeps } from '../services/hub-deps.js';
import { registerJoinPageRoutes } from './join-page-routes.js';
import { registerLandingPageRoutes } from './landing-page-routes.js';
import { registerPortalPageRoutes } from './portal-page-routes.js';

/**
 * The hosted pages under `/p/:slug`: server-rendered HTML for people, outside the API and its
 * OpenAPI document. Every form works without scripts.
 */
export function registerHostedPageRoutes(app: OpenAPIHono<HubEnv>, deps: HubDeps) {
  const kit = createHostedPageKit(deps);
  for (const middleware of kit.middleware) app.use('/p/*', middleware);
  registerLandingPageRoutes(app, deps, kit);
  registerJoinPageRoutes(app, deps, kit);
  registerPortalPageRoutes(app, deps, kit);
}
