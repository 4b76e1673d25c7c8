import { AxiosHeaders, isAxiosError, type AxiosResponse, type InternalAxiosRequestConfig } from 'axios';
import { ConnectorError } from '../connector.js';
import { parseRetryAfter } from './parse-retry-after.js';
import { redactSecrets } from '../security/redact-secrets.js';

export interface ClassifyHttpErrorOptions {
  /** Clock for HTTP-date Retry-After values (ms since epoch). */
  now?: number;
  /** Values (secrets, credential headers) blanked out of the response excerpt. */
  redact?: readonly string[];
}

const EXCERPT_CHARS = 200;
// What the delivery ledger keeps of an answer: enough to see why, small enough per attempt.
export const RESPONSE_EXCERPT_CHARS = 1024;
const INVALID_STATUSES = new Set([400, 404, 409, 422]);
// Request Timeout and Too Early say "try again", unlike the rest of 4xx.
const TRANSIENT_4XX = new Set([408, 425]);
const INVALID_REQUEST_CODES = new Set(['ERR_INVALID_URL', 'ERR_BAD_OPTION', 'ERR_BAD_OPTION_VALUE']);

function isAxiosResponse(value: unknown): value is AxiosResponse {
  return (
    typeof value === 'object' &&
    value !== null &&
    !(value instanceof Error) &&
    typeof (value as AxiosResponse).status === 'number' &&
    'headers' in value &&
    'config' in value
  );
}

/** "POST https://host:port" — the path is left out: hook URLs carry their credential in it. */
function describeTarget(config: InternalAxiosRequestConfig | undefined): string {
  const method = (config?.method ?? 'request').toUpperCase();
  try {
    return `${method} ${new URL(config?.url ?? '', config?.baseURL).origin}`;
  } catch {
    return method;
  }
}

/** The answer's body as one line, secrets blanked out, at most `max` characters ('' when empty). */
export function responseExcerpt(data: unknown, redact: readonly string[], max = RESPONSE_EXCERPT_CHARS): string {
  let text: string;
  if (typeof data === 'string') text = data;
  else if (Buffer.isBuffer(data)) text = data.toString('utf8');
  else if (data === undefined || data === null) text = '';
  else {
    try {
      text = JSON.stringify(data) ?? '';
    } catch {
      text = '';
    }
  }
  return redactSecrets(text, redact, max);
}

function excerpt(data: unknown, redact: readonly string[]): string {
  const text = responseExcerpt(data, redact, EXCERPT_CHARS);
  return text ? `: ${text}` : '';
}

function fromResponse(response: AxiosResponse, options: ClassifyHttpErrorOptions): ConnectorError {
  const { status } = response;
  const retryAfterMs = parseRetryAfter(AxiosHeaders.from(response.headers as AxiosHeaders).get('retry-after'), options.now);
  const head = `${describeTarget(response.config)} answered HTTP ${status}${response.statusText ? ` ${response.statusText}` : ''}`;
  const message = `${head}${excerpt(response.data, options.redact ?? [])}`;
  const answer = { status, response: responseExcerpt(response.data, options.redact ?? []) || undefined };

  if (status === 401 || status === 403) return new ConnectorError('auth', message, answer);
  if (status === 429) return new ConnectorError('rate_limited', message, { ...answer, retryAfterMs });
  if (status === 410) return new ConnectorError('permanent', message, answer);
  if (INVALID_STATUSES.has(status)) return new ConnectorError('invalid', message, answer);
  if (status >= 500 || TRANSIENT_4XX.has(status)) return new ConnectorError('transient', message, { ...answer, retryAfterMs });
  if (status >= 300 && status < 400) {
    // Redirects are never followed (a redirect can point anywhere, including private hosts).
    return new ConnectorError('invalid', `${message} (redirects are not followed: configure the final URL)`, answer);
  }
  return new ConnectorError('permanent', message, answer);
}

/**
 * Maps a failed outbound HTTP call — an axios response with a non-2xx status, an AxiosError, or
 * anything thrown around the call — onto the ConnectorError kinds the sync layer retries on.
 */
export function classifyHttpError(failure: unknown, options: ClassifyHttpErrorOptions = {}): ConnectorError {
  if (failure instanceof ConnectorError) return failure;
  if (isAxiosResponse(failure)) return fromResponse(failure, options);
  if (isAxiosError(failure)) {
    if (failure.response) return fromResponse(failure.response, options);
    // The guarded lookup refuses a rebound address by failing the socket with a ConnectorError.
    if (failure.cause instanceof ConnectorError) return failure.cause;
    const code = failure.code ?? 'ERR_NETWORK';
    const message = `${describeTarget(failure.config)} failed: ${code}${failure.message ? ` (${failure.message})` : ''}`;
    if (INVALID_REQUEST_CODES.has(code)) return new ConnectorError('invalid', message, { cause: failure });
    if (code === 'ERR_FR_MAX_BODY_LENGTH_EXCEEDED') return new ConnectorError('permanent', message, { cause: failure });
    // Timeouts, refused/reset connections, DNS and TLS failures: the target may come back.
    return new ConnectorError('transient', message, { cause: failure });
  }
  const message = failure instanceof Error ? failure.message : 'unexpected failure';
  return new ConnectorError('transient', `request failed: ${message}`, { cause: failure });
}
