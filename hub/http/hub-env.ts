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
export type HubEnv = {
  Variables: {
    principal: Principal;
    /** Top-level answer fields that are credentials: an idempotent replay answers without them. */
    credentialFields?: string[];
  };
  Bindings: Partial<HttpBindings>;
};
