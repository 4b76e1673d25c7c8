import type { z } from 'zod';
import { errorEnvelopeSchema } from './api-error.js';

export const jsonContent = <T extends z.ZodType>(schema: T) => ({ 'application/json': { schema } });

export const jsonBody = <T extends z.ZodType>(schema: T) => ({ body: { content: jsonContent(schema), required: true } });

export const ok = <T extends z.ZodType>(schema: T, description: string) => ({ description, content: jsonContent(schema) });

const ERROR_DESCRIPTIONS: Record<number, string> = {
  400: 'Malformed JSON',
  401: 'Missing or invalid API key',
  403: 'Key lacks the scope or program',
  404: 'Not found',
  409: 'Idempotency-Key reused with another body',
  413: 'Body too large',
  422: 'Validation failed',
  429: 'Rate limited',
};

/** The error answers every authenticated route can give, in the documented envelope. */
export const errorResponses = (...extra: number[]) =>
  Object.fromEntries(
    [401, 403, 422, 429, ...extra].map((s) => [
      s,
      { description: ERROR_DESCRIPTIONS[s] ?? 'Error', content: jsonContent(errorEnvelopeSchema) },
    ]),
  );

export const secured = [{ bearerAuth: [] }];
