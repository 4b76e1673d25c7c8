import { z } from 'zod';
import { DURATION_PATTERN } from '../../lib/duration.js';

export const durationSchema = z.string().regex(DURATION_PATTERN, 'a duration like "30s", "15m", "24h" or "30d"');
// The ISO 4217 codes the runtime's ICU data knows (about 160 active ones).
const ISO_CURRENCIES = new Set(Intl.supportedValuesOf('currency'));
export const currencySchema = z
  .string()
  .regex(/^[A-Z]{3}$/, 'an ISO 4217 code like "USD"')
  .refine((code) => ISO_CURRENCIES.has(code), 'not an ISO 4217 currency code');

/** Amounts are stored as numeric(18, 4): more decimals would be rounded away silently. */
const MAX_AMOUNT = 1e9;
const atMostFourDecimals = (v: number) => Number(v.toFixed(4)) === v;
export const amountSchema = z.number().nonnegative().max(MAX_AMOUNT).refine(atMostFourDecimals, 'at most 4 decimal places');
export const positiveAmountSchema = z.number().positive().max(MAX_AMOUNT).refine(atMostFourDecimals, 'at most 4 decimal places');
/**
 * An ISO 8601 instant with an offset that names a real calendar day in years 1-9999: the ISO
 * pattern alone lets "2024-02-31" or year 0 through, which PostgreSQL then refuses mid-query.
 */
export const instantSchema = z.iso.datetime({ offset: true }).refine((v) => {
  const [year, month, day] = v.slice(0, 10).split('-').map(Number) as [number, number, number];
  const date = new Date(Date.UTC(2000, month - 1, day));
  return (
    year >= 1 &&
    date.getUTCMonth() === month - 1 &&
    date.getUTCDate() === day &&
    (month !== 2 || day !== 29 || (year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0))) &&
    Number.isFinite(Date.parse(v))
  );
}, 'not a real date');
export const emailSchema = z.email().max(254);
export const customFieldsSchema = z
  .record(z.string().max(64), z.union([z.string().max(2000), z.number(), z.boolean(), z.null()]))
  .refine((v) => Object.keys(v).length <= 50, 'at most 50 custom fields');
export const idParam = (name: string) => z.object({ id: z.string().min(1).max(64) }).meta({ description: `${name} id` });

export const pageQuery = {
  limit: z.coerce.number().int().min(1).max(200).default(50),
  cursor: z.string().max(500).optional(),
};

export const listOf = <T extends z.ZodType>(item: T) => z.object({ data: z.array(item), nextCursor: z.string().nullable() });

// Business activity before 2000 is a typo (a two-digit year, a zero timestamp); a day ahead
// leaves room for clocks and time zones but not for a date in the future.
const EARLIEST_OCCURRENCE = Date.parse('2000-01-01T00:00:00Z');
const AHEAD_MS = 86_400_000;
export const occurredAtSchema = instantSchema.refine((v) => {
  const t = Date.parse(v);
  return t >= EARLIEST_OCCURRENCE && t <= Date.now() + AHEAD_MS;
}, 'between 2000-01-01 and one day from now');
