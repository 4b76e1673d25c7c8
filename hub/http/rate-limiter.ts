/**
 * Fixed-window counter per key, in memory. Enough for the public endpoints of one hub
 * replica; each replica limits on its own, which only makes the global limit looser.
 */
export function createRateLimiter(opts: { limit: number; windowMs: number; maxKeys?: number }) {
  let windowStart = Date.now();
  let counts = new Map<string, number>();
  return {
    /** true when this hit is within the limit. */
    allow(key: string): boolean {
      const now = Date.now();
      if (now - windowStart >= opts.windowMs || counts.size > (opts.maxKeys ?? 100_000)) {
        windowStart = now;
        counts = new Map();
      }
      const n = (counts.get(key) ?? 0) + 1;
      counts.set(key, n);
      return n <= opts.limit;
    },
  };
}
