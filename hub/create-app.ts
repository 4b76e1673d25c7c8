import { OpenAPIHono } from '@hono/zod-openapi';
import { HTTPException } from 'hono/http-exception';
import { isDatabaseUnavailable } from './http/database-unavailable.js';
import { clientErrorAnswer, errorBody, issuesToDetails } from './http/api-error.js';
import { apiKeyAuth } from './http/api-key-auth.js';
import type { HubEnv } from './http/hub-env.js';
import { createHubMetrics } from './http/hub-metrics.js';
import { idempotency } from './http/idempotency.js';
import { jsonDepthLimit } from './http/json-depth-limit.js';
import { requestBodyLimit } from './http/request-body-limit.js';
import { registerApiKeyRoutes } from './routes/api-key-routes.js';
import { registerClickRoutes } from './routes/click-routes.js';
import { registerConnectorRoutes } from './routes/connector-routes.js';
import { registerHookRoutes } from './routes/hook-routes.js';
import { registerInboundRequestRoutes } from './routes/inbound-request-routes.js';
import { registerInboundWebhookRoutes } from './routes/inbound-webhook-routes.js';
import { registerDocsRoutes } from './routes/docs-routes.js';
import { registerExportRoutes } from './routes/export-routes.js';
import { registerScheduleRoutes } from './routes/schedule-routes.js';
import { registerMemberRoutes } from './routes/member-routes.js';
import { registerOpsRoutes } from './routes/ops-routes.js';
import { registerProgramRoutes } from './routes/program-routes.js';
import { registerReferralRoutes } from './routes/referral-routes.js';
import { registerRewardRoutes } from './routes/reward-routes.js';
import { registerReferralScriptRoutes } from './routes/referral-script-routes.js';
import { registerPayoutRoutes } from './routes/payout-routes.js';
import { registerTrackRoutes, TRACK_PATHS } from './routes/track-routes.js';
import { registerInviteRoutes } from './routes/invite-routes.js';
import { registerCustomerEventRoutes } from './routes/customer-event-routes.js';
import { registerUnsubscribeRoutes } from './routes/unsubscribe-routes.js';
import { registerHostedPageRoutes } from './routes/hosted-page-routes.js';
import type { HubDeps } from './services/hub-deps.js';
import { exceptPaths } from './http/except-paths.js';
import { registerConsole } from '../ui/console/register-console.js';

// Far deeper than any request of this API (a mapping entry's `when` is the deepest, at 4).
const MAX_JSON_DEPTH = 32;

/**
 * The whole HTTP surface: one register call per resource, in the order docs/routes.md lists their
 * paths (that file is generated from this app's OpenAPI document).
 */
export function createApp(deps: HubDeps) {
  const app = new OpenAPIHono<HubEnv>({
    defaultHook: (result, c) => {
      if (!result.success) {
        return c.json(errorBody('validation_failed', 'The request is not valid', issuesToDetails(result.error.issues)), 422);
      }
    },
  });
  const metrics = createHubMetrics(deps.sql, deps.dispatcher);

  app.use('*', async (c, next) => {
    const started = performance.now();
    await next();
    metrics.observe(c.req.method, c.req.routePath, c.res.status, (performance.now() - started) / 1000);
  });
  app.use(
    '*',
    requestBodyLimit(deps.bodyLimitBytes, (c) =>
      c.json(errorBody('payload_too_large', `Request bodies are limited to ${deps.bodyLimitBytes} bytes`), 413),
    ),
  );
  // The public tracking endpoints carry their own credential (a publishable key in the body) and
  // parse their own bodies; nothing of API-key authentication applies to them.
  app.use('/api/v1/*', exceptPaths(TRACK_PATHS, apiKeyAuth(deps.db, deps.bootstrapApiKey)));
  app.use('/api/v1/*', exceptPaths(TRACK_PATHS, jsonDepthLimit(MAX_JSON_DEPTH)));
  app.use('/api/v1/*', exceptPaths(TRACK_PATHS, idempotency(deps.sql)));

  registerOpsRoutes(app, deps, metrics);
  registerClickRoutes(app, deps);
  registerReferralScriptRoutes(app);
  registerHostedPageRoutes(app, deps);
  registerProgramRoutes(app, deps);
  registerMemberRoutes(app, deps);
  registerInviteRoutes(app, deps);
  registerCustomerEventRoutes(app, deps);
  registerUnsubscribeRoutes(app, deps);
  registerReferralRoutes(app, deps);
  registerTrackRoutes(app, deps);
  registerRewardRoutes(app, deps);
  registerPayoutRoutes(app, deps);
  registerApiKeyRoutes(app, deps);
  registerConnectorRoutes(app, deps);
  registerHookRoutes(app, deps);
  registerInboundWebhookRoutes(app, deps);
  registerInboundRequestRoutes(app, deps);
  registerExportRoutes(app, deps);
  registerScheduleRoutes(app, deps);
  registerDocsRoutes(app, deps.publicUrl);
  registerConsole(app, deps);

  app.notFound((c) => c.json(errorBody('not_found', `No route for ${c.req.method} ${new URL(c.req.url).pathname}`), 404));
  app.onError((err, c) => {
    if (err instanceof HTTPException) {
      if (err.status === 400) return c.json(errorBody('malformed_json', 'The request body is not valid JSON'), 400);
      if (err.status === 415)
        return c.json(errorBody('malformed_json', 'The request body must be JSON (Content-Type: application/json)'), 400);
      if (err.status === 413) return c.json(errorBody('payload_too_large', 'Request body too large'), 413);
      if (err.status === 401) return c.json(errorBody('unauthorized', 'Missing or invalid API key'), 401);
    }
    const known = clientErrorAnswer(err);
    if (known) return c.json(known.body, known.status);
    if (isDatabaseUnavailable(err)) {
      deps.logger.warn({ err: String(err), path: new URL(c.req.url).pathname }, 'database unavailable');
      c.header('Retry-After', '1');
      return c.json(errorBody('unavailable', 'The database is unavailable for a moment; retry shortly'), 503);
    }
    deps.logger.error({ err, method: c.req.method, path: new URL(c.req.url).pathname }, 'unhandled error');
    return c.json(errorBody('internal', 'Something went wrong on our side'), 500);
  });
  return app;
}

export type HubApp = ReturnType<typeof createApp>;
