import type { HttpBindings } from '@hono/node-server';
import type { ApiScope } from '../../schema/tables/api-keys.js';

export interface Principal {
  /** Api key id, or `bootstrap` for HUB_BOOTSTRAP_API_KEY. */
  id: string;
  name: string;
  scopes: ApiScope[];
  /** Empty means every program. */
  programIds: string[];
}

// Under @hono/node-server the raw Node request/response ride along (HttpBindings); under
// app.request() in tests they are absent, hence Partial.
export type HubEnv = { Variables: { principal: Principal }; Bindings: Partial<HttpBindings> };
