import { createHash } from 'node:crypto';
import type { MiddlewareHandler } from 'hono';
import type { Sql } from '../../schema/db.js';
import { ApiError } from './api-error.js';
import type { HubEnv } from './hub-env.js';

// A crashed request leaves its key unfinished; after this long another attempt may take it over.
const STALE_MS = 60_000;
// Like Stripe's: a key answers the same for 24 hours, then it is forgotten and may be used anew.
// (An early 404, e.g. for a program created since, does not stick to a client's retries forever.)
export const IDEMPOTENCY_RETENTION_HOURS = 24;

/** Deletes keys past their retention; the hub runs it periodically. Returns how many went. */
export async function pruneIdempotencyKeys(sql: Sql): Promise<number> {
  const gone = await sql`delete from idempotency_keys where created_at < now() - make_interval(hours => ${IDEMPOTENCY_RETENTION_HOURS})`;
  return gone.count;
}

/**
 * A stored answer must not be a second copy of a credential shown once (a new API key, an
 * inbound URL): the replay answers the same object without those fields.
 */
function withoutFields(body: unknown, fields: string[]): unknown {
  if (fields.length === 0 || body === null || typeof body !== 'object' || Array.isArray(body)) return body;
  return Object.fromEntries(Object.entries(body).filter(([name]) => !fields.includes(name)));
}

/**
 * `Idempotency-Key` on creating POSTs: the same key and body replay the first
 * answer; the same key with another body is 409. 5xx answers are not stored, so a retry runs again.
 * Keys are kept for IDEMPOTENCY_RETENTION_HOURS.
 */
export function idempotency(sql: Sql): MiddlewareHandler<HubEnv> {
  return async (c, next) => {
    const key = c.req.header('idempotency-key');
    if (c.req.method !== 'POST' || key === undefined) return next();
    if (key.length < 1 || key.length > 255) throw new ApiError('validation_failed', 'Idempotency-Key must be 1 to 255 characters');
    const principal = c.get('principal').id;
    const body = await c.req.text();
    const path = new URL(c.req.url).pathname;
    const requestHash = createHash('sha256').update(`${c.req.method}\n${path}\n${body}`).digest('hex');

    // A new key, or one past its retention (not yet pruned): this request takes it.
    const claimed = await sql`
      insert into idempotency_keys (principal, key, method, path, request_hash)
      values (${principal}, ${key}, ${c.req.method}, ${path}, ${requestHash})
      on conflict (principal, key) do update set method = excluded.method, path = excluded.path, request_hash = excluded.request_hash,
        response_status = null, response_body = null, created_at = now(), completed_at = null
        where idempotency_keys.created_at < now() - make_interval(hours => ${IDEMPOTENCY_RETENTION_HOURS})
      returning key`;
    if (claimed.length === 0) {
      const [row] = await sql<{ request_hash: string; response_status: number | null; response_body: unknown; stale: boolean }[]>`
        select request_hash, response_status, response_body, created_at < now() - make_interval(secs => ${STALE_MS / 1000}) as stale
        from idempotency_keys where principal = ${principal} and key = ${key}`;
      if (row && row.request_hash !== requestHash) {
        throw new ApiError('idempotency_conflict', 'This Idempotency-Key was used with a different request');
      }
      if (row && row.response_status !== null) {
        c.header('Idempotent-Replayed', 'true');
        return c.json(row.response_body as object, row.response_status as 200);
      }
      if (row && !row.stale) throw new ApiError('idempotency_conflict', 'A request with this Idempotency-Key is still in progress');
      await sql`update idempotency_keys set created_at = now() where principal = ${principal} and key = ${key}`;
    }

    await next();
    const status = c.res.status;
    if (status >= 500) {
      await sql`delete from idempotency_keys where principal = ${principal} and key = ${key} and response_status is null`;
      return;
    }
    const answered: unknown = await c.res
      .clone()
      .json()
      .catch(() => null);
    const responseBody = withoutFields(answered, c.get('credentialFields') ?? []);
    await sql`
      update idempotency_keys set response_status = ${status}, response_body = ${JSON.stringify(responseBody)}::jsonb, completed_at = now()
      where principal = ${principal} and key = ${key}`;
  };
}
