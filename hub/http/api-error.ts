import { z } from 'zod';

/** The closed set of error codes and their HTTP statuses. */
export const ERROR_STATUS = {
  malformed_json: 400,
  unauthorized: 401,
  forbidden: 403,
  not_found: 404,
  idempotency_conflict: 409,
  conflict: 409,
  payload_too_large: 413,
  validation_failed: 422,
  self_referral: 422,
  unsupported_protocol: 422,
  rate_limited: 429,
  internal: 500,
  unavailable: 503,
} as const;

export type ErrorCode = keyof typeof ERROR_STATUS;

export class ApiError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly details?: unknown,
  ) {
    super(message);
    this.name = 'ApiError';
  }
  get status() {
    return ERROR_STATUS[this.code];
  }
}

export const errorEnvelopeSchema = z
  .object({
    error: z.object({
      code: z.enum(Object.keys(ERROR_STATUS) as [ErrorCode, ...ErrorCode[]]),
      message: z.string(),
      details: z.unknown().optional(),
    }),
  })
  .meta({ id: 'Error' });

export function errorBody(code: ErrorCode, message: string, details?: unknown) {
  return { error: details === undefined ? { code, message } : { code, message, details } };
}

/** zod issues → a stable, client-friendly list (path as a dotted string). */
export function issuesToDetails(issues: readonly z.core.$ZodIssue[]): { path: string; message: string; code: string }[] {
  return issues.flatMap((i): { path: string; message: string; code: string }[] =>
    i.code === 'unrecognized_keys'
      ? // One entry per unknown key, at its own path, so a client sees exactly which key to drop.
        i.keys.map((key) => ({ path: [...i.path, key].map(String).join('.'), message: `unknown field "${key}"`, code: i.code }))
      : [{ path: i.path.map(String).join('.'), message: i.message, code: i.code }],
  );
}

/**
 * A value PostgreSQL refused (bad encoding, out-of-range number, constraint): the client's input,
 * not our fault, so a 422 rather than a 500. drizzle wraps driver errors; the SQLSTATE sits on the cause.
 */
function isRefusedValue(err: unknown): boolean {
  const e = err as { code?: unknown; cause?: { code?: unknown } } | undefined;
  const pgCode = e?.code ?? e?.cause?.code;
  return typeof pgCode === 'string' && /^(22|23)/.test(pgCode);
}

/**
 * The 4xx answer for an error the client caused (an ApiError, or a value PostgreSQL refused);
 * undefined for anything else, which is ours and a 500. The app's error handler and the inbound
 * request log both answer through it, so what is stored is what was sent.
 */
export function clientErrorAnswer(
  err: unknown,
): { status: (typeof ERROR_STATUS)[ErrorCode]; body: ReturnType<typeof errorBody> } | undefined {
  if (err instanceof ApiError) return { status: err.status, body: errorBody(err.code, err.message, err.details) };
  if (isRefusedValue(err))
    return {
      status: 422,
      body: errorBody('validation_failed', 'A value in the request cannot be stored', [{ path: '', message: 'invalid value' }]),
    };
  return undefined;
}
