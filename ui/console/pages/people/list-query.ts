import type { Context } from 'hono';

/** Rows per list page. */
export const PAGE_SIZE = 50;

/** The named query parameters of a list page, trimmed, with empty ones dropped. */
export function listQuery<K extends string>(c: Context, names: readonly K[]): Partial<Record<K, string>> {
  const out: Partial<Record<K, string>> = {};
  for (const name of names) {
    const value = c.req.query(name)?.trim();
    if (value) out[name] = value.slice(0, 254);
  }
  return out;
}

/** The value if it is one of the allowed ones (a filter with a stale or typed value shows everything). */
export function oneOf<T extends string>(value: string | undefined, allowed: readonly T[]): T | undefined {
  return allowed.find((a) => a === value);
}

/** A `YYYY-MM-DD` from a date input as the start of that day (UTC); undefined when not a date. */
export function dayStart(value: string | undefined, plusDays = 0): Date | undefined {
  if (!value || !/^\d{4}-\d{2}-\d{2}$/.test(value)) return undefined;
  const d = new Date(`${value}T00:00:00Z`);
  if (Number.isNaN(d.getTime())) return undefined;
  return new Date(d.getTime() + plusDays * 86_400_000);
}

/** Where to go back to after an action: only a console path, never another site. */
export function backPath(value: string, fallback: string): string {
  return value.startsWith('/ui') && !value.startsWith('//') && !value.includes('\\') ? value : fallback;
}

/** The page's own path and query, for forms that come back here. */
export function herePath(c: Context): string {
  const url = new URL(c.req.url);
  return `${url.pathname}${url.search}`;
}
