import type { parseDatePattern } from './date-pattern.js';

type PatternParts = Extract<ReturnType<typeof parseDatePattern>, { parts: unknown }>['parts'];

const TO_CHAR: Record<string, string> = { yyyy: 'YYYY', MM: 'MM', dd: 'DD', HH: 'HH24', mm: 'MI', ss: 'SS', SSS: 'MS' };

/**
 * A parsed `date:` pattern as a to_char() pattern over a UTC timestamp. Literal text goes in
 * double quotes, where a backslash takes the next character literally, so no letter of it can
 * be read as a to_char field (and `"` or `\` in it stay themselves).
 */
export function toCharPattern(parts: PatternParts): string {
  return parts.map((part) => ('token' in part ? TO_CHAR[part.token] : `"${part.text.replace(/["\\]/g, '\\$&')}"`)).join('');
}
