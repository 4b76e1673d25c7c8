import { newId } from '../../lib/ids.js';
import type { Logger } from '../../lib/logger.js';
import type { Sql } from '../../schema/db.js';
import { INBOUND_SOURCES } from '../../schema/tables/index.js';
import { clientErrorAnswer, errorBody } from '../http/api-error.js';

export type InboundSource = (typeof INBOUND_SOURCES)[number];

/** An authenticated inbound request, as it arrived. */
export interface InboundRequestEntry {
  source: InboundSource;
  connectorId?: string;
  contentType?: string;
  rawBody: string;
}

// Kept this long, then pruned with the idempotency keys.
export const INBOUND_REQUEST_RETENTION_DAYS = 30;

/**
 * Keeps each authenticated inbound webhook request with the answer it got. `handle` runs the request's work; whatever it answers or throws is stored, then
 * passed on unchanged. Storing never fails a request: the facts it created are already
 * committed, so a lost audit row is logged instead.
 */
export function createInboundRequestLog(sql: Sql, logger: Logger) {
  async function store(entry: InboundRequestEntry, status: number, answer: unknown) {
    try {
      // PostgreSQL text cannot hold NUL; such a byte is kept as U+FFFD (the only change made).
      const rawBody = entry.rawBody.includes('\u0000') ? entry.rawBody.replaceAll('\u0000', '\uFFFD') : entry.rawBody;
      await sql`
        insert into inbound_requests (id, source, connector_id, content_type, raw_body, status, answer)
        values (${newId('ibx')}, ${entry.source}, ${entry.connectorId ?? null}, ${entry.contentType ?? null}, ${rawBody}, ${status},
          ${answer === undefined ? null : JSON.stringify(answer)}::jsonb)`;
    } catch (err) {
      logger.warn({ source: entry.source, connectorId: entry.connectorId, err: String(err) }, 'could not store the inbound request');
    }
  }

  return {
    /** `sent` says which status and body the client gets for a result of `work`. */
    async handle<T>(
      entry: InboundRequestEntry,
      sent: (answer: T) => { status: number; body: unknown },
      work: () => Promise<T>,
    ): Promise<T> {
      let answer: T;
      try {
        answer = await work();
      } catch (err) {
        // What the client gets: create-app's error handler answers through the same function.
        const sentError = clientErrorAnswer(err) ?? { status: 500, body: errorBody('internal', 'Something went wrong on our side') };
        await store(entry, sentError.status, sentError.body);
        throw err;
      }
      const { status, body } = sent(answer);
      await store(entry, status, body);
      return answer;
    },
  };
}

/** Deletes requests past their retention; the hub runs it periodically. */
export async function pruneInboundRequests(sql: Sql): Promise<number> {
  const gone = await sql`delete from inbound_requests where received_at < now() - make_interval(days => ${INBOUND_REQUEST_RETENTION_DAYS})`;
  return gone.count;
}
