import { ConnectorError } from '../connector.js';
import { classifyHttpError, type ClassifyHttpErrorOptions } from '../http/classify-http-error.js';
import { redactSecrets } from '../security/redact-secrets.js';
import { describeTremendousError, readTremendousError } from './read-tremendous-error.js';

// Tremendous sends no Retry-After. Its stricter published limit is 60 requests per 30-second
// window, and it asks clients to pause about 30 s after a 429.
export const TREMENDOUS_RATE_LIMIT_WAIT_MS = 30_000;
const MESSAGE_CHARS = 300;

function responseData(failure: unknown): unknown {
  if (typeof failure !== 'object' || failure === null) return undefined;
  const response = 'response' in failure && typeof failure.response === 'object' && failure.response !== null ? failure.response : failure;
  return 'data' in response ? response.data : undefined;
}

/**
 * classifyHttpError plus Tremendous' error body: the message carries Tremendous' own words and
 * the failing fields, and a 429 without Retry-After waits as long as Tremendous asks.
 */
export function classifyTremendousError(failure: unknown, options: ClassifyHttpErrorOptions = {}): ConnectorError {
  const error = classifyHttpError(failure, options);
  if (error.status === undefined) return error;
  const retryAfterMs = error.kind === 'rate_limited' ? (error.retryAfterMs ?? TREMENDOUS_RATE_LIMIT_WAIT_MS) : error.retryAfterMs;
  const details = readTremendousError(responseData(failure));
  const summary = details ? redactSecrets(describeTremendousError(details), options.redact ?? [], MESSAGE_CHARS) : '';
  const message = summary ? `Tremendous answered HTTP ${error.status}: ${summary}` : error.message;
  return new ConnectorError(error.kind, message, { status: error.status, retryAfterMs, response: error.response, cause: error.cause });
}
