import { z } from 'zod';

// Tremendous answers errors as {"errors": {"message", "payload"}}, where payload mirrors the
// request with a message at each failing field. Its rate-limit pages show the key `error` instead,
// so both are read.
const detailSchema = z.looseObject({ message: z.string().optional(), payload: z.unknown().optional() });
const bodySchema = z.looseObject({ errors: detailSchema.optional(), error: detailSchema.optional() });

export interface TremendousErrorDetails {
  message?: string;
  /** The failing fields as dotted paths ("reward.recipient.email"), each with Tremendous' words. */
  fields: Array<{ path: string; problem: string }>;
}

function collectFields(value: unknown, path: string[], into: TremendousErrorDetails['fields']): void {
  if (typeof value === 'string') into.push({ path: path.join('.'), problem: value });
  else if (Array.isArray(value)) {
    const words = value.filter((item): item is string => typeof item === 'string');
    if (words.length > 0) into.push({ path: path.join('.'), problem: words.join('; ') });
    for (const item of value) if (typeof item === 'object' && item !== null) collectFields(item, path, into);
  } else if (typeof value === 'object' && value !== null) {
    for (const [key, inner] of Object.entries(value)) collectFields(inner, [...path, key], into);
  }
}

/** What a Tremendous error answer says, or undefined when the body is not one. */
export function readTremendousError(data: unknown): TremendousErrorDetails | undefined {
  const parsed = bodySchema.safeParse(data);
  const detail = parsed.success ? (parsed.data.errors ?? parsed.data.error) : undefined;
  if (!detail) return undefined;
  const fields: TremendousErrorDetails['fields'] = [];
  collectFields(detail.payload, [], fields);
  return { message: detail.message, fields };
}

/** "message (reward.recipient.email: is invalid)", as one line. */
export function describeTremendousError(details: TremendousErrorDetails): string {
  const fields = details.fields.map((field) => (field.path ? `${field.path}: ${field.problem}` : field.problem)).join('; ');
  if (details.message && fields) return `${details.message} (${fields})`;
  return details.message ?? fields;
}
