import { z } from 'zod';
import { DURATION_PATTERN } from '../../lib/duration.js';

export const durationSchema = z.string().regex(DURATION_PATTERN, 'a duration like "30s", "15m", "24h" or "30d"');
export const currencySchema = z.string().regex(/^[A-Z]{3}$/, 'an ISO 4217 code like "USD"');
export const emailSchema = z.email().max(254);
export const customFieldsSchema = z.record(z.string().max(64), z.union([z.string().max(2000), z.number(), z.boolean(), z.null()]))
  .refine((v) => Object.keys(v).length <= 50, 'at most 50 custom fields');
export const idParam = (name: string) => z.object({ id: z.string().min(1).max(64) }).meta({ description: `${name} id` });

export const pageQuery = {
  limit: z.coerce.number().int().min(1).max(200).default(50),
  cursor: z.string().max(500).optional(),
};

export const listOf = <T extends z.ZodType>(item: T) => z.object({ data: z.array(item), nextCursor: z.string().nullable() });
