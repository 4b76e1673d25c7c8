import { z } from 'zod';
import { DURATION_PATTERN } from '../../lib/duration.js';

export const durationSchema = z.string().regex(DURATION_PATTERN, 'a duration like "30s", "15m", "24h" or "30d"');
export const currencySchema = z.string().regex(/^[A-Z]{3}$/, 'an ISO 4217 code like "USD"');
/**
 * An ISO 8601 instant with an offset that names a real calendar day in years 1-9999: the ISO
 * pattern alone lets "2024-02-31" or year 0 through, which PostgreSQL then refuses mid-query.
 */
export const instantSchema = z.iso.datetime({ offset: true }).refine((v) => {
  const [year, month, day] = v.slice(0, 10).split('-').map(Number) as [number, number, number];
  const date = new Date(Date.UTC(2000, month - 1, day));
  return year >= 1 && date.getUTCMonth() === month - 1 && date.getUTCDate() === day
    && (month !== 2 || day !== 29 || (year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0)))
    && Number.isFinite(Date.parse(v));
}, 'not a real date');
export const emailSchema = z.email().max(254);
export const customFieldsSchema = z.record(z.string().max(64), z.union([z.string().max(2000), z.number(), z.boolean(), z.null()]))
  .refine((v) => Object.keys(v).length <= 50, 'at most 50 custom fields');
export const idParam = (name: string) => z.object({ id: z.string().min(1).max(64) }).meta({ description: `${name} id` });

export const pageQuery = {
  limit: z.coerce.number().int().min(1).max(200).default(50),
  cursor: z.string().max(500).optional(),
};

export const listOf = <T extends z.ZodType>(item: T) => z.object({ data: z.array(item), nextCursor: z.string().nullable() });
