import { formatDateParts, parseDatePattern, toUtcDate } from './date-pattern.js';

/**
 * `format` of a mapping entry: `date:<pattern>`, `number:<decimals>` or
 * `boolean:<trueText>/<falseText>`. A value the format does not understand (a date format on
 * "n/a", a number format on "abc") passes through unchanged, as spreadsheet and Zapier
 * formatters do, so a bad record is visible in the output instead of silently blanked.
 */
export type ValueFormatter = (value: unknown) => unknown;

export const MAX_DECIMALS = 20;

const FORMAT_HELP = 'format must be "date:<pattern>", "number:<decimals>" or "boolean:<trueText>/<falseText>"';

// Strict decimal notation only: Number() would also accept "", "0x1F", "1_000"-like surprises.
const NUMERIC = /^[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?$/;

function toNumber(value: unknown): number | undefined {
  if (typeof value === 'number') return Number.isFinite(value) ? value : undefined;
  if (typeof value === 'bigint') return Number(value);
  if (typeof value === 'string' && NUMERIC.test(value.trim())) {
    const n = Number(value.trim());
    return Number.isFinite(n) ? n : undefined;
  }
  return undefined;
}

/** n × 10^exp computed on the decimal text, so no binary rounding error is introduced. */
function shiftDecimal(n: number, exp: number): number {
  const [mantissa, e = '0'] = String(n).split('e');
  return Number(`${mantissa}e${Number(e) + exp}`);
}

/**
 * Rounds half away from zero in decimal, so 1.005 becomes "1.01" (toFixed alone gives "1.00"
 * because 1.005 is stored as 1.00499…) and amounts round the way people expect.
 */
function toFixedDecimal(n: number, decimals: number): string {
  if (Math.abs(n) >= 1e21) return n.toFixed(decimals);
  const sign = n < 0 ? -1 : 1;
  const rounded = shiftDecimal(Math.round(shiftDecimal(Math.abs(n), decimals)), -decimals);
  const out = (sign * rounded).toFixed(decimals);
  // -0.001 rounded to two places is -0: print it as 0.
  return Number(out) === 0 ? out.replace(/^-/, '') : out;
}

function toBoolean(value: unknown): boolean | undefined {
  if (typeof value === 'boolean') return value;
  if (typeof value === 'string') {
    const lower = value.trim().toLowerCase();
    if (lower === 'true') return true;
    if (lower === 'false') return false;
  }
  return undefined;
}

/** Turns a format spec into a formatter, or explains why the spec is invalid. */
export function compileFormat(spec: string): { format: ValueFormatter } | { error: string } {
  const colon = spec.indexOf(':');
  if (colon === -1) return { error: `${FORMAT_HELP}; got "${spec}"` };
  const kind = spec.slice(0, colon);
  const arg = spec.slice(colon + 1);
  switch (kind) {
    case 'date': {
      const parsed = parseDatePattern(arg);
      if ('error' in parsed) return parsed;
      const { parts } = parsed;
      return {
        format: (value) => {
          const date = toUtcDate(value);
          return date === undefined ? value : formatDateParts(parts, date);
        },
      };
    }
    case 'number': {
      if (!/^\d{1,2}$/.test(arg) || Number(arg) > MAX_DECIMALS) {
        return { error: `number format needs a count of decimals from 0 to ${MAX_DECIMALS}, like "number:2"; got "${spec}"` };
      }
      const decimals = Number(arg);
      return {
        format: (value) => {
          const n = toNumber(value);
          return n === undefined ? value : toFixedDecimal(n, decimals);
        },
      };
    }
    case 'boolean': {
      const slash = arg.indexOf('/');
      if (slash === -1 || arg.indexOf('/', slash + 1) !== -1) {
        return { error: `boolean format needs exactly one "/" between the true and false texts, like "boolean:yes/no"; got "${spec}"` };
      }
      const trueText = arg.slice(0, slash);
      const falseText = arg.slice(slash + 1);
      return {
        format: (value) => {
          const b = toBoolean(value);
          return b === undefined ? value : b ? trueText : falseText;
        },
      };
    }
    default:
      return { error: `${FORMAT_HELP}; got "${spec}"` };
  }
}
