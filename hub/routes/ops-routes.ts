import type { OpenAPIHono } from '@hono/zod-openapi';
import { within } from '../../lib/within.js';
import { lifecycleBacklog } from '../../workflows/dispatch/lifecycle-dispatcher.js';
import type { HubEnv } from '../http/hub-env.js';
import type { createHubMetrics } from '../http/hub-metrics.js';
import type { HubDeps } from '../services/hub-deps.js';

// Each readiness check answers within this, so /readyz itself can never hang.
const CHECK_MS = 2000;
const DEFAULT_MAX_BACKLOG_AGE_MS = 300_000;

export function registerOpsRoutes(app: OpenAPIHono<HubEnv>, deps: HubDeps, metrics: ReturnType<typeof createHubMetrics>) {
  app.get('/healthz', (c) => c.json({ status: 'ok' }));

  app.get('/readyz', async (c) => {
    const [database, temporal, backlog] = await Promise.all([
      within(CHECK_MS, deps.sql`select 1`, 'database').then(
        () => true,
        () => false,
      ),
      deps.temporalReady().catch(() => false),
      within(CHECK_MS, lifecycleBacklog(deps.sql), 'dispatch backlog').catch(() => null),
    ]);
    const health = deps.dispatcher?.health();
    const maxAgeMs = deps.readyMaxBacklogAgeMs ?? DEFAULT_MAX_BACKLOG_AGE_MS;
    const reasons: string[] = [];
    if (!database) reasons.push(`database: no answer within ${CHECK_MS / 1000} s`);
    if (!temporal) reasons.push('temporal: unreachable');
    if (health?.stalled) {
      reasons.push(
        `dispatcher: stalled, no progress for ${Math.round(health.sinceProgressSeconds)} s${health.lastError ? ` (${health.lastError})` : ''}`,
      );
    }
    // A hub told not to dispatch keeps serving: its backlog is left on purpose (another replica's
    // own /readyz still reports the deployment's backlog if that one is meant to dispatch).
    if (!health?.paused && backlog && backlog.count > 0 && backlog.oldestSeconds * 1000 > maxAgeMs) {
      reasons.push(
        `backlog: the oldest of ${backlog.count} undispatched referral events is ${Math.round(backlog.oldestSeconds)} s old (limit ${maxAgeMs / 1000} s)`,
      );
    }
    const body = {
      status: reasons.length === 0 ? 'ready' : 'unavailable',
      checks: { database, temporal },
      dispatch: {
        stalled: health?.stalled ?? false,
        paused: health?.paused ?? false,
        backlog: backlog?.count ?? null,
        oldestEventSeconds: backlog && backlog.count > 0 ? Math.round(backlog.oldestSeconds) : null,
      },
      reasons,
    };
    return c.json(body, reasons.length === 0 ? 200 : 503);
  });

  app.get('/metrics', async (c) => {
    c.header('Content-Type', metrics.registry.contentType);
    return c.body(await metrics.registry.metrics());
  });
}
