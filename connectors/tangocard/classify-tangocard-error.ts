import { z } from 'zod';
import { ConnectorError } from '../connector.js';
import { classifyHttpError, type ClassifyHttpErrorOptions } from '../http/classify-http-error.js';
import { redactSecrets } from '../security/redact-secrets.js';

// Tango Card's error answer; every field is optional because gateways in front of it answer
// some errors (401 from the edge, 503) with other bodies.
export const tangoCardErrorSchema = z.looseObject({
  httpCode: z.number().optional(),
  message: z.string().optional(),
  i18nKey: z.string().optional(),
  errors: z
    .array(z.looseObject({ path: z.string().optional(), message: z.string().optional(), i18nKey: z.string().optional() }))
    .optional(),
});

export type TangoCardErrorBody = z.infer<typeof tangoCardErrorSchema>;

const MESSAGE_CHARS = 300;

function responseData(failure: unknown): unknown {
  if (typeof failure !== 'object' || failure === null) return undefined;
  const response = 'response' in failure && typeof failure.response === 'object' && failure.response !== null ? failure.response : failure;
  return 'data' in response ? response.data : undefined;
}

/** The error answer of a failed call, when it is one in Tango Card's shape. */
export function tangoCardErrorBody(failure: unknown): TangoCardErrorBody | undefined {
  const parsed = tangoCardErrorSchema.safeParse(responseData(failure));
  return parsed.success ? parsed.data : undefined;
}

/** "message; path: message; …" — what Tango said, in one line, secrets blanked out. */
export function describeTangoCardError(body: TangoCardErrorBody | undefined, redact: readonly string[]): string {
  if (!body) return '';
  const parts = [body.message, ...(body.errors ?? []).map((e) => [e.path, e.message].filter(Boolean).join(': '))];
  return redactSecrets(parts.filter(Boolean).join('; '), redact, MESSAGE_CHARS);
}

/**
 * classifyHttpError plus Tango Card's error body: the message carries Tango's own words (the
 * failing field and why) instead of the raw JSON, with the same kind, status and wait.
 */
export function classifyTangoCardError(failure: unknown, options: ClassifyHttpErrorOptions = {}): ConnectorError {
  const error = classifyHttpError(failure, options);
  if (error.status === undefined) return error;
  const summary = describeTangoCardError(tangoCardErrorBody(failure), options.redact ?? []);
  if (!summary) return error;
  return new ConnectorError(error.kind, `Tango Card answered HTTP ${error.status}: ${summary}`, {
    status: error.status,
    retryAfterMs: error.retryAfterMs,
    response: error.response,
  });
}
