import type { Hono } from 'hono';
import type { ConsoleDeps } from '../console-deps.js';
import type { ConsoleEnv } from '../console-env.js';
import { consolePage } from '../console-page.js';
import { registerConnectorDeliveryPages } from './connector-delivery-pages.js';
import { registerConnectorEditPages } from './connector-edit-pages.js';
import { registerConnectorListPages } from './connector-list-pages.js';
import { registerConnectorMappingPages } from './connector-mapping-pages.js';
import { canManageConnectors, connectorPageServices } from './connector-page-kit.js';

/**
 * Connectors: list, create from the kind's generated form, detail and edit, field mapping with a
 * live preview, delivery log with retries, recoveries and replays. Changing anything (and the
 * "new connector" forms) is for admins, as creating, testing and re-sending are in the API.
 */
export function registerConnectorPages(ui: Hono<ConsoleEnv>, deps: ConsoleDeps) {
  const svc = connectorPageServices(deps);
  ui.use('/connectors/*', async (c, next) => {
    const path = new URL(c.req.url).pathname;
    const changes = c.req.method !== 'GET' && c.req.method !== 'HEAD';
    if ((changes || path.startsWith('/ui/connectors/new')) && !canManageConnectors(c)) {
      return consolePage(c, 'Not allowed', <p class="alert">Only admins can change connectors.</p>, 403);
    }
    return next();
  });
  registerConnectorListPages(ui, svc);
  registerConnectorEditPages(ui, deps, svc);
  registerConnectorMappingPages(ui, deps, svc);
  registerConnectorDeliveryPages(ui, deps, svc);
}
