import type { ApiScope } from '../../schema/tables/api-keys.js';

export interface Principal {
  /** Api key id, or `bootstrap` for HUB_BOOTSTRAP_API_KEY. */
  id: string;
  name: string;
  scopes: ApiScope[];
  /** Empty means every program. */
  programIds: string[];
}

export type HubEnv = { Variables: { principal: Principal } };
