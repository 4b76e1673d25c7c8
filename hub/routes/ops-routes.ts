import type { OpenAPIHono } from '@hono/zod-openapi';
import type { HubEnv } from '../http/hub-env.js';
import type { createHubMetrics } from '../http/hub-metrics.js';
import type { HubDeps } from '../services/hub-deps.js';

export function registerOpsRoutes(app: OpenAPIHono<HubEnv>, deps: HubDeps, metrics: ReturnType<typeof createHubMetrics>) {
  app.get('/healthz', (c) => c.json({ status: 'ok' }));

  app.get('/readyz', async (c) => {
    const [database, temporal] = await Promise.all([
      deps.sql`select 1`.then(() => true, () => false),
      deps.temporalReady().catch(() => false),
    ]);
    const body = { status: database && temporal ? 'ready' : 'unavailable', checks: { database, temporal } };
    return c.json(body, database && temporal ? 200 : 503);
  });

  app.get('/metrics', async (c) => {
    c.header('Content-Type', metrics.registry.contentType);
    return c.body(await metrics.registry.metrics());
  });
}
