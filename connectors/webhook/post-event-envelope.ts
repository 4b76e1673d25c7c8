import type { AxiosInstance, AxiosResponse } from 'axios';
import { ConnectorError, type ConnectorRuntime, type OutboundRecord, type RecordResult } from '../connector.js';
import { classifyHttpError, responseExcerpt } from '../http/classify-http-error.js';
import type { StandardWebhookMessage } from './sign-standard-webhook.js';

/** The public event envelope: one per request to a webhook or hook target. */
export interface EventEnvelope {
  id: string;
  type: string;
  timestamp: string;
  data: Record<string, unknown>;
}

export interface EnvelopeTarget {
  url: string;
  client: AxiosInstance;
  runtime: ConnectorRuntime;
  /** Extra headers from the connector's settings and secrets; the delivery headers win. */
  headers?: Record<string, string>;
  /** Returns the `webhook-signature` value for the exact body sent; unsigned targets omit it. */
  sign?: (message: StandardWebhookMessage) => string;
  /** Secret values kept out of error messages built from the target's reply. */
  redact?: readonly string[];
  /** A status meaning the target is gone for good (Zapier's 410 for a Zap turned off). */
  goneStatus?: number;
  /** Clock (ms since epoch), injected by tests. */
  now?: () => number;
}

// These reject one payload, not the endpoint: the sync layer dead-letters that event and moves on.
// Every other failure (auth, 404, 410, 429, 5xx, network) is the endpoint's and fails the batch.
const RECORD_LEVEL_STATUSES = new Set([400, 409, 413, 422]);

/**
 * POSTs one event envelope. `webhook-id` is the event id, so it stays the same across retries and
 * receivers dedupe on it; `webhook-timestamp` is this attempt's time, as the spec requires.
 */
export async function postEventEnvelope(target: EnvelopeTarget, record: OutboundRecord): Promise<RecordResult> {
  // Checked before every send, not only at setup: DNS for the host may have changed since.
  await target.runtime.assertTargetAllowed(target.url);

  const envelope: EventEnvelope = {
    id: record.event.id,
    type: record.event.type,
    timestamp: record.event.timestamp,
    data: record.data,
  };
  const body = JSON.stringify(envelope);
  const timestamp = Math.floor((target.now?.() ?? Date.now()) / 1000);
  const headers: Record<string, string> = {
    ...target.headers,
    'Content-Type': 'application/json',
    'webhook-id': envelope.id,
    'webhook-timestamp': String(timestamp),
  };
  if (target.sign) headers['webhook-signature'] = target.sign({ id: envelope.id, timestamp, body });

  let response: AxiosResponse;
  try {
    // A Buffer goes out byte for byte; a string or object could be re-serialised after signing.
    response = await target.client.post(target.url, Buffer.from(body, 'utf8'), { headers });
  } catch (error) {
    throw classifyHttpError(error, { redact: target.redact });
  }
  if (response.status >= 200 && response.status < 300) {
    return {
      key: record.key,
      ok: true,
      status: response.status,
      response: responseExcerpt(response.data, target.redact ?? []) || undefined,
    };
  }

  const failure = classifyHttpError(response, { redact: target.redact });
  if (response.status === target.goneStatus) {
    throw new ConnectorError('gone', failure.message, { status: failure.status, response: failure.response });
  }
  if (!RECORD_LEVEL_STATUSES.has(response.status)) throw failure;
  return {
    key: record.key,
    ok: false,
    error: { kind: failure.kind, message: failure.message, status: failure.status, response: failure.response },
  };
}

/** Destination.push for one-envelope-per-request targets; batchSize 1 makes this one call. */
export async function pushEventEnvelopes(target: EnvelopeTarget, records: readonly OutboundRecord[]): Promise<RecordResult[]> {
  const results: RecordResult[] = [];
  for (const record of records) results.push(await postEventEnvelope(target, record));
  return results;
}
