import { createHash, timingSafeEqual } from 'node:crypto';
import type { MiddlewareHandler } from 'hono';
import { eq } from 'drizzle-orm';
import { withActor } from '../../lib/actor-context.js';
import type { Db } from '../../schema/db.js';
import { apiKeys, type ApiScope } from '../../schema/tables/api-keys.js';
import { ApiError } from './api-error.js';
import type { HubEnv, Principal } from './hub-env.js';

export const hashApiKey = (key: string) => createHash('sha256').update(key).digest('hex');

/** admin covers everything; write implies read and track (a server key can do what a tracker can). */
export function hasScope(p: Principal, scope: ApiScope): boolean {
  if (p.scopes.includes('admin') || p.scopes.includes(scope)) return true;
  return (scope === 'read' || scope === 'track') && p.scopes.includes('write');
}

// Bumped by every revocation in this process; cached lookups from an older epoch are ignored,
// so no app has to register anything (and nothing pins an app's cache in memory).
let revocationEpoch = 0;

/** Called after a key is revoked, so this process stops accepting it immediately. */
export function forgetCachedApiKeys(): void {
  revocationEpoch++;
}

export function canAccessProgram(p: Principal, programId: string): boolean {
  return p.programIds.length === 0 || p.programIds.includes(programId);
}

/** Throws 403 unless the key may act on that program. */
export function assertProgramAccess(p: Principal, programId: string): void {
  if (!canAccessProgram(p, programId)) throw new ApiError('forbidden', 'This API key is not allowed to access that program');
}

// How long a key lookup is reused. Revocation through this process clears it at once; other
// replicas notice within this time.
const KEY_CACHE_MS = 5000;

/**
 * `Authorization: Bearer <key>`. Keys are looked up by SHA-256 (they are long random strings,
 * so a slow password hash adds nothing); last-used time is written at most once a minute.
 */
export function apiKeyAuth(db: Db, bootstrapKey: string | undefined): MiddlewareHandler<HubEnv> {
  // The bootstrap key is compared by its SHA-256, in constant time: the same digest of the
  // presented token then serves as the stored keys' look-up hash, so a request hashes once.
  const bootstrapDigest = bootstrapKey ? createHash('sha256').update(bootstrapKey).digest() : undefined;
  const lastTouched = new Map<string, number>();
  const cache = new Map<string, { key: typeof apiKeys.$inferSelect | undefined; until: number; epoch: number }>();
  const lookup = async (hash: string) => {
    const hit = cache.get(hash);
    if (hit && hit.until > Date.now() && hit.epoch === revocationEpoch) return hit.key;
    const [key] = await db.select().from(apiKeys).where(eq(apiKeys.hash, hash));
    if (cache.size > 10_000) cache.clear();
    cache.set(hash, { key, until: Date.now() + KEY_CACHE_MS, epoch: revocationEpoch });
    return key;
  };
  return async (c, next) => {
    const header = c.req.header('authorization') ?? '';
    const match = /^Bearer\s+(\S+)$/i.exec(header);
    if (!match) throw new ApiError('unauthorized', 'Missing or invalid API key');
    const token = match[1]!;
    const digest = createHash('sha256').update(token).digest();
    if (bootstrapDigest && timingSafeEqual(digest, bootstrapDigest)) {
      c.set('principal', { id: 'bootstrap', name: 'bootstrap', scopes: ['admin'], programIds: [] });
      return withActor({ type: 'api_key', id: 'bootstrap', name: 'bootstrap' }, next);
    }
    const key = await lookup(digest.toString('hex'));
    if (!key || key.revokedAt) throw new ApiError('unauthorized', 'Missing or invalid API key');
    const now = Date.now();
    if ((lastTouched.get(key.id) ?? 0) < now - 60_000) {
      lastTouched.set(key.id, now);
      await db
        .update(apiKeys)
        .set({ lastUsedAt: new Date(now) })
        .where(eq(apiKeys.id, key.id));
    }
    c.set('principal', { id: key.id, name: key.name, scopes: key.scopes, programIds: key.programIds });
    return withActor({ type: 'api_key', id: key.id, name: key.name }, next);
  };
}

/** Route middleware: runs before body validation, so a mis-scoped key gets 403, not 422. */
export function requireScope(scope: ApiScope): MiddlewareHandler<HubEnv> {
  return async (c, next) => {
    if (!hasScope(c.get('principal'), scope)) throw new ApiError('forbidden', `This API key lacks the "${scope}" scope`);
    return next();
  };
}
