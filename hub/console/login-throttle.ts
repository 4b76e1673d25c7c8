import { inArray, sql } from 'drizzle-orm';
import type { Db } from '../../schema/db.js';
import { loginThrottle } from '../../schema/tables/login-throttle.js';

// Failures allowed before any delay; then the wait doubles with each failure, up to the cap.
// One address tries many accounts, so an IP gets more room than one account before it waits.
const FREE_FAILURES = { email: 3, ip: 20 } as const;
const FIRST_DELAY_MS = 1000;
const MAX_DELAY_MS = 15 * 60_000;

const delayAfter = (failures: number, free: number) =>
  failures < free ? 0 : Math.min(MAX_DELAY_MS, FIRST_DELAY_MS * 2 ** (failures - free));

/**
 * Sign-in throttling per account and per client address with growing delays (never a lock-out:
 * an attacker could otherwise lock any admin out). Kept in the database so every replica agrees.
 */
export function createLoginThrottle(db: Db) {
  const keysFor = (email: string, ip: string | undefined) => [`email:${email.trim().toLowerCase()}`, ...(ip ? [`ip:${ip}`] : [])];

  return {
    /** Milliseconds to wait before this account may try again from this address (0: go ahead). */
    async waitMs(email: string, ip: string | undefined): Promise<number> {
      const rows = await db
        .select()
        .from(loginThrottle)
        .where(inArray(loginThrottle.key, keysFor(email, ip)));
      const now = Date.now();
      return Math.max(0, ...rows.map((r) => (r.blockedUntil ? r.blockedUntil.getTime() - now : 0)));
    },

    async recordFailure(email: string, ip: string | undefined): Promise<void> {
      for (const key of keysFor(email, ip)) {
        const free = key.startsWith('ip:') ? FREE_FAILURES.ip : FREE_FAILURES.email;
        const [row] = await db
          .insert(loginThrottle)
          .values({ key, failures: 1, blockedUntil: null })
          .onConflictDoUpdate({ target: loginThrottle.key, set: { failures: sql`${loginThrottle.failures} + 1`, updatedAt: new Date() } })
          .returning({ failures: loginThrottle.failures });
        const delay = delayAfter(row!.failures, free);
        if (delay > 0)
          await db
            .update(loginThrottle)
            .set({ blockedUntil: new Date(Date.now() + delay) })
            .where(inArray(loginThrottle.key, [key]));
      }
    },

    /** A successful sign-in clears the account's count (the address keeps its own). */
    async recordSuccess(email: string): Promise<void> {
      await db.delete(loginThrottle).where(inArray(loginThrottle.key, keysFor(email, undefined)));
    },
  };
}

export type LoginThrottle = ReturnType<typeof createLoginThrottle>;
