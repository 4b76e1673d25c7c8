import { z } from 'zod';
import { ConnectorError } from '../connector.js';
import { parseRetryAfter } from '../http/parse-retry-after.js';
import { redactSecrets } from '../security/redact-secrets.js';

// https://mailchimp.com/developer/marketing/docs/errors/ — application/problem+json.
const problemSchema = z.looseObject({
  title: z.string().optional(),
  detail: z.string().optional(),
  errors: z.array(z.looseObject({ field: z.string().optional(), message: z.string().optional() })).optional(),
});

/** What the SDK rejects with: a superagent error, carrying the response on HTTP failures. */
const sdkErrorSchema = z.looseObject({
  status: z.number().int().optional(),
  code: z.string().optional(),
  timeout: z.number().optional(),
  response: z
    .looseObject({
      body: z.unknown(),
      text: z.unknown(),
      headers: z.unknown(),
    })
    .optional(),
});

export interface ClassifyMailchimpErrorOptions {
  /** Values (the API key) blanked out of the message. */
  redact?: readonly string[];
  /** Clock for HTTP-date Retry-After values (ms since epoch). */
  now?: number;
}

const MESSAGE_CHARS = 300;
const INVALID_STATUSES = new Set([400, 404, 405, 409, 414, 422]);

function problemText(body: unknown, text: unknown): string {
  let candidate = body;
  if ((candidate === undefined || candidate === null || typeof candidate !== 'object') && typeof text === 'string' && text) {
    try {
      candidate = JSON.parse(text);
    } catch {
      return text;
    }
  }
  const problem = problemSchema.safeParse(candidate);
  if (!problem.success) return '';
  const fields = (problem.data.errors ?? []).map((e) => [e.field, e.message].filter(Boolean).join(': ')).filter(Boolean);
  return [problem.data.title, problem.data.detail, ...fields].filter(Boolean).join(' — ');
}

/**
 * Maps what a Mailchimp SDK call rejected with onto the ConnectorError kinds. The superagent
 * error is never attached as `cause`: it holds the request, Authorization header included.
 */
export function classifyMailchimpError(failure: unknown, options: ClassifyMailchimpErrorOptions = {}): ConnectorError {
  // The guarded lookup fails the socket with a ConnectorError, which superagent passes on.
  if (failure instanceof ConnectorError) return failure;
  if (failure instanceof Error && failure.cause instanceof ConnectorError) return failure.cause;
  const redact = options.redact ?? [];
  const parsed = sdkErrorSchema.safeParse(failure);
  const error = parsed.success ? parsed.data : {};

  const status = error.status;
  if (status === undefined || !error.response) {
    const code = error.code ?? (error.timeout !== undefined ? 'ETIMEDOUT' : 'ERR_NETWORK');
    const detail = failure instanceof Error ? ` (${redactSecrets(failure.message, redact, MESSAGE_CHARS)})` : '';
    // Timeouts, refused or reset connections, DNS and TLS failures: Mailchimp may come back.
    return new ConnectorError('transient', `Mailchimp request failed: ${code}${detail}`);
  }

  const text = redactSecrets(problemText(error.response.body, error.response.text), redact, MESSAGE_CHARS);
  const message = `Mailchimp answered HTTP ${status}${text ? `: ${text}` : ''}`;
  if (status === 401 || status === 403) return new ConnectorError('auth', message, { status });
  if (status === 429) {
    // Mailchimp documents no rate-limit headers; honour Retry-After should one appear.
    const headers = error.response.headers;
    const retryAfter = typeof headers === 'object' && headers !== null ? (headers as Record<string, unknown>)['retry-after'] : undefined;
    const retryAfterMs = parseRetryAfter(retryAfter, options.now);
    return new ConnectorError('rate_limited', message, { status, retryAfterMs });
  }
  if (INVALID_STATUSES.has(status)) return new ConnectorError('invalid', message, { status });
  if (status >= 500 || status === 408) return new ConnectorError('transient', message, { status });
  if (status >= 300 && status < 400) {
    return new ConnectorError('invalid', `${message} (redirects are not followed: configure the final base URL)`, { status });
  }
  return new ConnectorError('permanent', message, { status });
}
