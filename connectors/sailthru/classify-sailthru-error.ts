import { AxiosHeaders, type AxiosResponse } from 'axios';
import { z } from 'zod';
import { ConnectorError, type ConnectorErrorKind } from '../connector.js';
import { classifyHttpError } from '../http/classify-http-error.js';

// https://getstarted.sailthru.com/developers/api-basics/responses/ (global API error codes)
const CODE_KINDS: ReadonlyMap<number, ConnectorErrorKind> = new Map([
  [1, 'invalid'], // unsupported HTTP method
  [2, 'invalid'], // missing required parameter
  [3, 'auth'], // invalid API key
  [4, 'auth'], // disallowed IP
  [5, 'auth'], // authentication failed: the sig does not match
  [6, 'invalid'], // invalid UTF-8
  [9, 'transient'], // internal error: "try giving it a delay"
  [11, 'invalid'], // invalid email
  [14, 'invalid'], // unknown template
  [15, 'invalid'], // unknown list
  [43, 'rate_limited'], // too many requests this minute to this endpoint
]);

export const sailthruErrorSchema = z.looseObject({ error: z.number().int(), errormsg: z.string().optional() });

/** Milliseconds until `X-Rate-Limit-Reset` (Unix seconds of the next window); undefined without one. */
export function sailthruResetDelayMs(headers: AxiosResponse['headers'], now: number): number | undefined {
  const reset = Number(AxiosHeaders.from(headers as AxiosHeaders).get('x-rate-limit-reset'));
  if (!Number.isFinite(reset) || reset <= 0) return undefined;
  return Math.max(0, reset * 1000 - now);
}

/**
 * Classifies a non-200 Sailthru answer by its `{error, errormsg}` code first (the HTTP status
 * alone does not tell a bad signature from a bad email), then by status.
 */
export function classifySailthruError(response: AxiosResponse, options: { redact: readonly string[]; now?: number }): ConnectorError {
  const now = options.now ?? Date.now();
  const generic = classifyHttpError(response, { redact: options.redact, now });
  const body = sailthruErrorSchema.safeParse(response.data);
  const kind = (body.success ? CODE_KINDS.get(body.data.error) : undefined) ?? (response.status === 429 ? 'rate_limited' : generic.kind);
  // Sailthru sends no Retry-After; the window's reset time is when the next call can succeed.
  const retryAfterMs =
    kind === 'rate_limited'
      ? (sailthruResetDelayMs(response.headers, now) ?? generic.retryAfterMs)
      : kind === 'transient'
        ? generic.retryAfterMs
        : undefined;
  return new ConnectorError(kind, generic.message, { status: response.status, retryAfterMs });
}
