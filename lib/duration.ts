/**
 * Durations in the public contract are strings like "2s", "15m", "30d".
 * Pure and deterministic so workflow code may import it.
 */
const UNIT_MS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000 };

export const DURATION_PATTERN = /^(\d{1,9})(ms|s|m|h|d|w)$/;

export function parseDuration(text: string): number {
  const match = DURATION_PATTERN.exec(text);
  if (!match) throw new Error(`invalid duration "${text}" (expected e.g. "30s", "15m", "24h", "30d")`);
  return Number(match[1]) * UNIT_MS[match[2]!]!;
}
