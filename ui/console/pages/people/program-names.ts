import type { Principal } from '../../../../hub/http/hub-env.js';
import type { PeopleServices } from './people-services.js';

/** The programs the principal may see (id → name), for filters and for naming a row's program. */
export async function programNames(s: PeopleServices, principal: Principal): Promise<Map<string, string>> {
  const { data } = await s.programs.list(principal, { limit: 200 });
  return new Map(data.map((p) => [p.id, p.name]));
}

/** The program filter's options. */
export const programOptions = (names: Map<string, string>) => [...names].map(([value, label]) => ({ value, label }));
