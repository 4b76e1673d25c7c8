import { z } from 'zod';
import { ConnectorError } from '../connector.js';
import { classifyHttpError, type ClassifyHttpErrorOptions } from '../http/classify-http-error.js';
import { redactSecrets } from '../security/redact-secrets.js';

// https://developers.hubspot.com/docs/api-reference/error-handling and, for 429,
// https://developers.hubspot.com/docs/developer-tooling/platform/usage-guidelines — every
// field is optional.
const errorBodySchema = z.looseObject({
  message: z.string().optional(),
  category: z.string().optional(),
  errorType: z.string().optional(),
  policyName: z.string().optional(),
});

// HubSpot sends no documented Retry-After. The rolling ten-second window clears within ten
// seconds; the daily quota resets at midnight in the account's time zone, which we do not know,
// so an hour keeps retries rare without waiting a whole day after the reset.
const POLICY_WAIT_MS: Record<string, number> = {
  TEN_SECONDLY_ROLLING: 10_000,
  DAILY: 60 * 60 * 1000,
};

const MESSAGE_CHARS = 300;

function responseData(failure: unknown): unknown {
  if (typeof failure !== 'object' || failure === null) return undefined;
  const response = 'response' in failure && typeof failure.response === 'object' && failure.response !== null ? failure.response : failure;
  return 'data' in response ? response.data : undefined;
}

/**
 * classifyHttpError plus HubSpot's error body: the message leads with the category (or the rate
 * limit policy), and a 429 without Retry-After waits as long as the policy it names needs.
 */
export function classifyHubSpotError(failure: unknown, options: ClassifyHttpErrorOptions = {}): ConnectorError {
  const error = classifyHttpError(failure, options);
  const body = error.status === undefined ? undefined : errorBodySchema.safeParse(responseData(failure));
  if (!body?.success) return error;

  const { category, errorType, policyName, message } = body.data;
  const summary = redactSecrets(
    [category ?? errorType, policyName, message].filter(Boolean).join(': '),
    options.redact ?? [],
    MESSAGE_CHARS,
  );
  const text = summary ? `HubSpot answered HTTP ${error.status}: ${summary}` : error.message;
  let retryAfterMs = error.retryAfterMs;
  if (error.kind === 'rate_limited' && retryAfterMs === undefined && policyName !== undefined) retryAfterMs = POLICY_WAIT_MS[policyName];
  return new ConnectorError(error.kind, text, { status: error.status, retryAfterMs });
}
