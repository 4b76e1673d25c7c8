import { z } from 'zod';
import { emailSchema } from '../contracts/common.js';
import type { FieldErrors } from './form-parts.js';

const firstName = z
  .string()
  .max(100, 'Use at most 100 characters.')
  .regex(/^[^\p{Cc}]*$/u, 'Use letters, not control characters.');

/**
 * The email and first name of a hosted form, or the message for each refused field, worded for
 * people rather than for an API client.
 */
export function readPersonFields(
  fields: Record<string, string>,
  opts: { firstNameRequired: boolean },
): { ok: true; email: string; firstName?: string } | { ok: false; errors: FieldErrors } {
  const errors: FieldErrors = {};
  const email = fields.email ?? '';
  if (email === '') errors.email = 'Enter your email address.';
  else if (!emailSchema.safeParse(email).success) errors.email = 'Enter an email address like name@example.com.';
  const name = fields.first_name ?? '';
  if (name === '' && opts.firstNameRequired) errors.first_name = 'Enter your first name.';
  else if (name !== '') {
    const parsed = firstName.safeParse(name);
    if (!parsed.success) errors.first_name = parsed.error.issues[0]!.message;
  }
  if (Object.keys(errors).length > 0) return { ok: false, errors };
  return { ok: true, email, firstName: name === '' ? undefined : name };
}
