/**
 * `date:<pattern>` formats. A deliberately small token set, so a pattern means the same thing
 * to every reader; everything is rendered in UTC so a file does not change with the server's zone.
 */

export const DATE_TOKENS = ['yyyy', 'MM', 'dd', 'HH', 'mm', 'ss', 'SSS'] as const;
type DateToken = (typeof DATE_TOKENS)[number];

type PatternPart = { token: DateToken } | { text: string };

const TOKEN_SET: ReadonlySet<string> = new Set(DATE_TOKENS);
const LETTER = /[A-Za-z]/;

const HINT = `known tokens are ${DATE_TOKENS.join(', ')}; put literal letters in single quotes, like 'T'`;

/**
 * Parses a pattern such as `yyyy-MM-dd'T'HH:mm:ss.SSS'Z'`. Runs of one ASCII letter are tokens
 * and must be known ones (so `YYYY` or `DD`, the usual slips from other libraries, are refused
 * instead of printing garbage); `'...'` is literal text and `''` a literal quote; any other
 * character is literal.
 */
export function parseDatePattern(pattern: string): { parts: PatternPart[] } | { error: string } {
  if (pattern.length === 0) return { error: 'date pattern is empty, e.g. "date:yyyy-MM-dd"' };
  const parts: PatternPart[] = [];
  const pushText = (text: string): void => {
    const prev = parts[parts.length - 1];
    if (prev !== undefined && 'text' in prev) prev.text += text;
    else parts.push({ text });
  };
  let i = 0;
  while (i < pattern.length) {
    const ch = pattern[i] as string;
    if (ch === "'") {
      if (pattern[i + 1] === "'") {
        pushText("'");
        i += 2;
        continue;
      }
      let text = '';
      let j = i + 1;
      for (;;) {
        if (j >= pattern.length) return { error: `date pattern "${pattern}" has an unterminated quote` };
        if (pattern[j] === "'") {
          if (pattern[j + 1] === "'") {
            text += "'";
            j += 2;
            continue;
          }
          break;
        }
        text += pattern[j];
        j += 1;
      }
      pushText(text);
      i = j + 1;
      continue;
    }
    if (LETTER.test(ch)) {
      let j = i;
      while (pattern[j] === ch) j += 1;
      const run = pattern.slice(i, j);
      if (!TOKEN_SET.has(run)) return { error: `date pattern "${pattern}" has an unknown token "${run}" (${HINT})` };
      parts.push({ token: run as DateToken });
      i = j;
      continue;
    }
    pushText(ch);
    i += 1;
  }
  return { parts };
}

const pad = (n: number, width: number): string => String(n).padStart(width, '0');

function renderToken(token: DateToken, date: Date): string {
  switch (token) {
    case 'yyyy': {
      const year = date.getUTCFullYear();
      return year < 0 ? `-${pad(-year, 4)}` : pad(year, 4);
    }
    case 'MM':
      return pad(date.getUTCMonth() + 1, 2);
    case 'dd':
      return pad(date.getUTCDate(), 2);
    case 'HH':
      return pad(date.getUTCHours(), 2);
    case 'mm':
      return pad(date.getUTCMinutes(), 2);
    case 'ss':
      return pad(date.getUTCSeconds(), 2);
    case 'SSS':
      return pad(date.getUTCMilliseconds(), 3);
  }
}

/** Renders a valid Date with parts from parseDatePattern. */
export function formatDateParts(parts: readonly PatternPart[], date: Date): string {
  let out = '';
  for (const part of parts) out += 'token' in part ? renderToken(part.token, date) : part.text;
  return out;
}

// Date, or date-time with optional seconds, fraction and offset. Written out instead of relying
// on Date.parse, which reads an offset-less date-time in the server's local zone.
const ISO = /^(\d{4})-(\d{2})-(\d{2})(?:[Tt ](\d{2}):(\d{2})(?::(\d{2})(?:[.,](\d+))?)?\s*(Z|z|[+-]\d{2}(?::?\d{2})?)?)?$/;

function daysInMonth(year: number, month: number): number {
  if (month === 2) return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0 ? 29 : 28;
  return [4, 6, 9, 11].includes(month) ? 30 : 31;
}

/**
 * Reads an ISO 8601 string or a Date into a Date; anything else (or an impossible date such
 * as 2024-02-30) is undefined. A date-time without an offset is taken as UTC.
 */
export function toUtcDate(value: unknown): Date | undefined {
  if (value instanceof Date) return Number.isNaN(value.getTime()) ? undefined : value;
  if (typeof value !== 'string') return undefined;
  const m = ISO.exec(value.trim());
  if (m === null) return undefined;
  const [, y, mo, d, h = '0', mi = '0', s = '0', frac = '', offset] = m;
  const year = Number(y);
  const month = Number(mo);
  const day = Number(d);
  const hour = Number(h);
  const minute = Number(mi);
  const second = Number(s);
  const ms = Number((frac + '000').slice(0, 3));
  if (month < 1 || month > 12 || day < 1 || hour > 23 || minute > 59 || second > 59) return undefined;
  if (day > daysInMonth(year, month)) return undefined;
  let offsetMinutes = 0;
  if (offset !== undefined && offset.toUpperCase() !== 'Z') {
    const digits = offset.slice(1).replace(':', '');
    const oh = Number(digits.slice(0, 2));
    const om = Number(digits.slice(2) || '0');
    if (oh > 23 || om > 59) return undefined;
    offsetMinutes = (offset[0] === '-' ? -1 : 1) * (oh * 60 + om);
  }
  const utc = new Date(0);
  // setUTCFullYear keeps years 0–99 literal (Date.UTC would map them to 1900–1999).
  utc.setUTCFullYear(year, month - 1, day);
  utc.setUTCHours(hour, minute, second, ms);
  return new Date(utc.getTime() - offsetMinutes * 60_000);
}
