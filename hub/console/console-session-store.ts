import { createHash, randomBytes } from 'node:crypto';
import { eq, lt, or } from 'drizzle-orm';
import type { Db } from '../../schema/db.js';
import { consoleSessions } from '../../schema/tables/console-sessions.js';
import { users } from '../../schema/tables/users.js';
import type { UserRow } from './user-service.js';

const hashId = (id: string) => createHash('sha256').update(id).digest('hex');

// lastSeenAt is written at most this often: a page view is not worth a write each time.
const TOUCH_EVERY_MS = 60_000;

export interface ConsoleSession {
  id: string;
  user: UserRow;
  csrfSecret: string;
}

/**
 * Server-side console sessions: the browser holds a random id, the database its hash, the user
 * and a CSRF secret. A session idle for `idleMs`, or older than `maxAgeMs`, is gone.
 */
export function createConsoleSessionStore(db: Db, opts: { idleMs: number; maxAgeMs: number }) {
  return {
    /** A new session's id, for the cookie (the next request reads the session back with its user). */
    async create(userId: string): Promise<{ id: string }> {
      const id = randomBytes(32).toString('base64url');
      await db.insert(consoleSessions).values({ idHash: hashId(id), userId, csrfSecret: randomBytes(32).toString('base64url') });
      return { id };
    },

    async find(id: string): Promise<ConsoleSession | undefined> {
      const now = Date.now();
      const [row] = await db
        .select({ session: consoleSessions, user: users })
        .from(consoleSessions)
        .innerJoin(users, eq(users.id, consoleSessions.userId))
        .where(eq(consoleSessions.idHash, hashId(id)));
      if (!row) return undefined;
      const { session } = row;
      if (session.lastSeenAt.getTime() + opts.idleMs < now || session.createdAt.getTime() + opts.maxAgeMs < now) {
        await db.delete(consoleSessions).where(eq(consoleSessions.idHash, session.idHash));
        return undefined;
      }
      if (session.lastSeenAt.getTime() + TOUCH_EVERY_MS < now) {
        await db
          .update(consoleSessions)
          .set({ lastSeenAt: new Date(now) })
          .where(eq(consoleSessions.idHash, session.idHash));
      }
      return { id, user: row.user, csrfSecret: session.csrfSecret };
    },

    async destroy(id: string): Promise<void> {
      await db.delete(consoleSessions).where(eq(consoleSessions.idHash, hashId(id)));
    },

    /** Drops sessions that can no longer be used (run from time to time). */
    async prune(): Promise<void> {
      const now = Date.now();
      await db
        .delete(consoleSessions)
        .where(
          or(lt(consoleSessions.lastSeenAt, new Date(now - opts.idleMs)), lt(consoleSessions.createdAt, new Date(now - opts.maxAgeMs))),
        );
    },
  };
}

export type ConsoleSessionStore = ReturnType<typeof createConsoleSessionStore>;
