import { randomBytes } from 'node:crypto';
import { desc, eq, sql } from 'drizzle-orm';
import { newId } from '../../lib/ids.js';
import type { Db } from '../../schema/db.js';
import { apiKeyJson } from '../../schema/public-json.js';
import { apiKeys, type ApiScope } from '../../schema/tables/api-keys.js';
import { ApiError } from '../http/api-error.js';
import { forgetCachedApiKeys, hashApiKey, hasScope } from '../http/api-key-auth.js';
import type { Principal } from '../http/hub-env.js';
import { assertCanAssignPrograms, canSeePrograms, visibleProgramsFilter } from '../http/program-scope.js';

/** `rh_` + 40 base62-ish characters (~238 bits): long enough that SHA-256 lookup is safe. */
export function generateApiKey(): string {
  return `rh_${randomBytes(30).toString('base64url')}`;
}

export function createApiKeyService(db: Db) {
  return {
    /**
     * Returns the key itself once; only its hash is stored. A key never mints a broader one:
     * every scope and program of the new key must be the creator's own.
     */
    async create(creator: Principal, input: { name: string; scopes: ApiScope[]; programIds: string[] }) {
      const missing = input.scopes.filter((scope) => !hasScope(creator, scope));
      if (missing.length > 0) throw new ApiError('forbidden', `This API key cannot grant scopes it lacks: ${missing.join(', ')}`);
      assertCanAssignPrograms(creator, input.programIds);
      const key = generateApiKey();
      const [row] = await db
        .insert(apiKeys)
        .values({
          id: newId('key'),
          name: input.name,
          prefix: key.slice(0, 10),
          hash: hashApiKey(key),
          scopes: input.scopes,
          programIds: input.programIds,
        })
        .returning();
      return { ...apiKeyJson(row!), key };
    },
    async list(viewer: Principal) {
      return (await db.select().from(apiKeys).where(visibleProgramsFilter(viewer, apiKeys.programIds)).orderBy(desc(apiKeys.id))).map(
        apiKeyJson,
      );
    },
    async revoke(viewer: Principal, id: string) {
      const [existing] = await db.select({ programIds: apiKeys.programIds }).from(apiKeys).where(eq(apiKeys.id, id));
      const visible = existing !== undefined && canSeePrograms(viewer, existing.programIds);
      const [row] = visible
        ? await db
            .update(apiKeys)
            .set({ revokedAt: sql`coalesce(${apiKeys.revokedAt}, now())` })
            .where(eq(apiKeys.id, id))
            .returning()
        : [];
      if (!row) throw new ApiError('not_found', `API key ${id} not found`);
      forgetCachedApiKeys();
    },
    async count(): Promise<number> {
      const [row] = await db.select({ n: sql<number>`count(*)::int` }).from(apiKeys);
      return row?.n ?? 0;
    },
  };
}
