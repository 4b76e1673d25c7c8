/**
 * Fixed-window counter per key, in memory. Enough for the public endpoints of one hub
 * replica; each replica limits on its own, which only makes the global limit looser.
 */
export function createRateLimiter(opts: { limit: number; windowMs: number; maxKeys?: number }) {
  let windowStart = Date.now();
  let counts = new Map<string, number>();
  return {
    /** Counts a hit: allowed, or refused with the whole seconds until the window turns. */
    hit(key: string): { allowed: true } | { allowed: false; retryAfterSeconds: number } {
      const now = Date.now();
      if (now - windowStart >= opts.windowMs || counts.size > (opts.maxKeys ?? 100_000)) {
        windowStart = now;
        counts = new Map();
      }
      const n = (counts.get(key) ?? 0) + 1;
      counts.set(key, n);
      if (n <= opts.limit) return { allowed: true };
      return { allowed: false, retryAfterSeconds: Math.max(1, Math.ceil((windowStart + opts.windowMs - now) / 1000)) };
    },
  };
}
