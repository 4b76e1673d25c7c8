import { createHash } from 'node:crypto';
import type { Sql } from '../../schema/db.js';
import { ApiError } from '../http/api-error.js';
import { IDEMPOTENCY_RETENTION_HOURS } from '../http/idempotency.js';

type Stored = { request_hash: string; response_status: number | null; response_body: unknown };

/**
 * Standard Webhooks senders retry with the same `webhook-id`, and a captured request can be
 * replayed while its signed timestamp is still fresh: either way the same id must not create a
 * second business event. The first answer is kept (in the idempotency table, per connector) and
 * given again; the same id with another body is refused.
 */
export function createWebhookIdGuard(sql: Sql) {
  return {
    /** Runs `work` once per (connector, webhook id); a repeat gets the first answer back. */
    async once<T extends { status: number; body: unknown }>(
      connectorId: string,
      webhookId: string,
      rawBody: string,
      work: () => Promise<T>,
    ): Promise<T> {
      const principal = `inbound:${connectorId}`;
      const hash = createHash('sha256').update(rawBody).digest('hex');
      const claimed = await sql`
        insert into idempotency_keys (principal, key, method, path, request_hash)
        values (${principal}, ${webhookId}, 'POST', 'webhook-id', ${hash})
        on conflict (principal, key) do update set request_hash = excluded.request_hash, response_status = null, response_body = null,
          created_at = now(), completed_at = null
          where idempotency_keys.created_at < now() - make_interval(hours => ${IDEMPOTENCY_RETENTION_HOURS})
        returning key`;
      if (claimed.length === 0) {
        const [row] = await sql<Stored[]>`
          select request_hash, response_status, response_body from idempotency_keys where principal = ${principal} and key = ${webhookId}`;
        if (row && row.request_hash !== hash)
          throw new ApiError('idempotency_conflict', 'This webhook-id was already used with a different body');
        if (row && row.response_status !== null) return { status: row.response_status, body: row.response_body } as T;
        throw new ApiError('idempotency_conflict', 'A request with this webhook-id is still being processed');
      }
      try {
        const answer = await work();
        await sql`
          update idempotency_keys set response_status = ${answer.status}, response_body = ${JSON.stringify(answer.body)}::jsonb, completed_at = now()
          where principal = ${principal} and key = ${webhookId}`;
        return answer;
      } catch (err) {
        // Nothing was accepted: the sender's retry with the same id is tried afresh.
        await sql`delete from idempotency_keys where principal = ${principal} and key = ${webhookId} and response_status is null`;
        throw err;
      }
    },
  };
}
