import { ZodError } from 'zod';
import { ApiError, issuesToDetails } from '../../hub/http/api-error.js';
import type { FieldErrors } from './components/field.js';

/**
 * The API's validation answer turned into messages per form field (`rules.0.amount.value` →
 * the field of that name), plus one message for the top of the form. Anything that is not a
 * client error is rethrown: it is ours, and the error page handles it.
 */
export function formErrors(err: unknown): { message: string; fields: FieldErrors; status: 403 | 404 | 409 | 422 } {
  if (err instanceof ZodError) return fromDetails('Check the highlighted fields', issuesToDetails(err.issues), 422);
  if (err instanceof ApiError && (err.status === 422 || err.status === 409 || err.status === 403 || err.status === 404)) {
    return fromDetails(err.message, err.details, err.status);
  }
  throw err;
}

function fromDetails(message: string, details: unknown, status: 403 | 404 | 409 | 422) {
  const fields: FieldErrors = {};
  if (Array.isArray(details)) {
    for (const d of details as { path?: unknown; message?: unknown }[]) {
      if (typeof d.path === 'string' && typeof d.message === 'string' && !(d.path in fields)) fields[d.path] = d.message;
    }
  }
  return { message, fields, status };
}
