import type { HubEnv, Principal } from '../../hub/http/hub-env.js';
import type { UserRole } from '../../schema/tables/users.js';
import type { UserRow } from '../../hub/console/user-service.js';

/** What every console handler can read after the session middleware. */
export type ConsoleEnv = {
  Variables: HubEnv['Variables'] & {
    user: UserRow;
    /** The hidden `_csrf` value every form of this session carries. */
    csrfToken: string;
    /** A message left by the previous request (after a redirect), shown once. */
    flash?: string;
  };
  Bindings: HubEnv['Bindings'];
};

const RANK: Record<UserRole, number> = { viewer: 0, editor: 1, admin: 2 };

export function roleAtLeast(role: UserRole, needed: UserRole): boolean {
  return RANK[role] >= RANK[needed];
}

/**
 * A console user acts through the same services as an API key, with the same program limits:
 * admin ≈ an admin key, editor ≈ a write key, viewer ≈ a read key. Pages call services with this.
 */
export function principalFor(user: UserRow): Principal {
  const scopes = user.role === 'admin' ? (['admin'] as const) : user.role === 'editor' ? (['write'] as const) : (['read'] as const);
  return { id: user.id, name: user.email, scopes: [...scopes], programIds: user.programIds };
}
