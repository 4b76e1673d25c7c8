import { createHash, randomBytes } from 'node:crypto';
import { and, asc, eq, gt, inArray, isNull, sql } from 'drizzle-orm';
import { z } from 'zod';
import { newId } from '../../lib/ids.js';
import type { Db } from '../../schema/db.js';
import { consoleSessions } from '../../schema/tables/console-sessions.js';
import { programs } from '../../schema/tables/programs.js';
import { setupTokens } from '../../schema/tables/setup-tokens.js';
import { USER_ROLES, users, type UserRole } from '../../schema/tables/users.js';
import { ApiError } from '../http/api-error.js';
import { dummyPasswordHash, hashPassword, verifyPassword } from './password-hash.js';

export type UserRow = typeof users.$inferSelect;

/** NIST 800-63B: at least 8 characters, no composition rules; long passphrases welcome. */
export const passwordSchema = z.string().min(8, 'Use at least 8 characters').max(256, 'Use at most 256 characters');
// Parsed inside an object so a problem is reported at the field's name.
const passwordField = z.object({ password: passwordSchema });
export const userInputSchema = z.object({
  email: z.email('Enter an email address').max(320),
  name: z.string().trim().max(200).default(''),
  role: z.enum(USER_ROLES),
  programIds: z.array(z.string()).default([]),
});
export type UserInput = z.input<typeof userInputSchema>;

const SETUP_LINK_TTL_MS = 24 * 3_600_000;
const hashToken = (token: string) => createHash('sha256').update(token).digest('hex');

/**
 * Console users: create, change, remove, set passwords, check sign-ins, and the one-time links
 * that let someone choose a password (the first admin's, and resets).
 */
export function createUserService(db: Db) {
  async function assertProgramsExist(programIds: string[]) {
    if (programIds.length === 0) return;
    const found = await db.select({ id: programs.id }).from(programs).where(inArray(programs.id, programIds));
    const missing = programIds.filter((id) => !found.some((f) => f.id === id));
    if (missing.length > 0)
      throw new ApiError('validation_failed', `No program ${missing.join(', ')}`, [
        { path: 'programIds', message: `No program ${missing.join(', ')}` },
      ]);
  }

  const service = {
    async list(): Promise<UserRow[]> {
      return db.select().from(users).orderBy(asc(users.email));
    },
    async get(id: string): Promise<UserRow> {
      const [row] = await db.select().from(users).where(eq(users.id, id));
      if (!row) throw new ApiError('not_found', `User ${id} not found`);
      return row;
    },
    async findByEmail(email: string): Promise<UserRow | undefined> {
      const [row] = await db
        .select()
        .from(users)
        .where(sql`lower(${users.email}) = lower(${email})`);
      return row;
    },
    async count(): Promise<number> {
      const [row] = await db.select({ n: sql<number>`count(*)::int` }).from(users);
      return row?.n ?? 0;
    },

    async create(input: UserInput, password?: string): Promise<UserRow> {
      const data = userInputSchema.parse(input);
      await assertProgramsExist(data.programIds);
      if (await service.findByEmail(data.email)) {
        throw new ApiError('conflict', `A user with email ${data.email} exists`, [
          { path: 'email', message: 'A user with this email exists' },
        ]);
      }
      const passwordHash = password === undefined ? null : await hashPassword(passwordField.parse({ password }).password);
      const [row] = await db
        .insert(users)
        .values({ id: newId('usr'), ...data, passwordHash })
        .returning();
      return row!;
    },

    async update(id: string, input: { name?: string; role?: UserRole; programIds?: string[] }): Promise<UserRow> {
      const existing = await service.get(id);
      if (input.programIds) await assertProgramsExist(input.programIds);
      // The console must keep someone able to manage users.
      if (existing.role === 'admin' && input.role && input.role !== 'admin') await assertAnotherAdmin(id);
      const [row] = await db
        .update(users)
        .set({ ...input, updatedAt: new Date() })
        .where(eq(users.id, id))
        .returning();
      return row!;
    },

    /** Sets a password and signs the user out everywhere (a reset must end a thief's session). */
    async setPassword(id: string, password: string): Promise<void> {
      const passwordHash = await hashPassword(passwordField.parse({ password }).password);
      await db.transaction(async (tx) => {
        const [row] = await tx
          .update(users)
          .set({ passwordHash, updatedAt: new Date() })
          .where(eq(users.id, id))
          .returning({ id: users.id });
        if (!row) throw new ApiError('not_found', `User ${id} not found`);
        await tx.delete(consoleSessions).where(eq(consoleSessions.userId, id));
      });
    },

    async remove(id: string): Promise<void> {
      const existing = await service.get(id);
      if (existing.role === 'admin') await assertAnotherAdmin(id);
      await db.delete(users).where(eq(users.id, id));
    },

    /** The user when the password matches; the same time spent whatever is wrong. */
    async checkPassword(email: string, password: string): Promise<UserRow | undefined> {
      const user = await service.findByEmail(email);
      const ok = await verifyPassword(password, user?.passwordHash ?? (await dummyPasswordHash()));
      return ok && user?.passwordHash ? user : undefined;
    },

    /**
     * HUB_BOOTSTRAP_ADMIN_EMAIL / _PASSWORD: creates that admin, or makes the existing user an
     * admin with that password, so scripts and tests always know one working sign-in.
     */
    async ensureBootstrapAdmin(email: string, password: string): Promise<UserRow> {
      const existing = await service.findByEmail(email);
      if (!existing) return service.create({ email, role: 'admin', name: 'Admin' }, password);
      const keeps = existing.passwordHash !== null && (await verifyPassword(password, existing.passwordHash));
      if (existing.role !== 'admin' || existing.programIds.length > 0) await service.update(existing.id, { role: 'admin', programIds: [] });
      if (!keeps) await service.setPassword(existing.id, password);
      return service.get(existing.id);
    },

    /** A one-time link token: for a user (a reset), or with no user to create the first admin. */
    async createSetupToken(userId: string | null, ttlMs = SETUP_LINK_TTL_MS): Promise<string> {
      const token = randomBytes(32).toString('base64url');
      await db.insert(setupTokens).values({ tokenHash: hashToken(token), userId, expiresAt: new Date(Date.now() + ttlMs) });
      return token;
    },

    /** Whether the token is unused and unexpired (the page asks before showing its form). */
    async setupTokenValid(token: string): Promise<{ userId: string | null } | undefined> {
      const [row] = await db
        .select()
        .from(setupTokens)
        .where(and(eq(setupTokens.tokenHash, hashToken(token)), isNull(setupTokens.usedAt), gt(setupTokens.expiresAt, new Date())));
      return row ? { userId: row.userId } : undefined;
    },

    /**
     * Uses a setup token once: sets the user's password, or creates the first admin (only while
     * there are no users, so a leaked first-start link is useless once someone has set up).
     */
    async useSetupToken(token: string, input: { email?: string; password: string }): Promise<UserRow> {
      const password = passwordField.parse({ password: input.password }).password;
      // Checked before the token is spent, so a typo does not burn the link.
      const pending = await service.setupTokenValid(token);
      if (pending && pending.userId === null) userInputSchema.pick({ email: true }).parse({ email: input.email });
      const [row] = await db
        .update(setupTokens)
        .set({ usedAt: new Date() })
        .where(and(eq(setupTokens.tokenHash, hashToken(token)), isNull(setupTokens.usedAt), gt(setupTokens.expiresAt, new Date())))
        .returning();
      if (!row) throw new ApiError('not_found', 'This link has expired or was already used');
      if (row.userId) {
        await service.setPassword(row.userId, password);
        return service.get(row.userId);
      }
      if ((await service.count()) > 0) throw new ApiError('conflict', 'The console is already set up: sign in instead');
      return service.create({ email: input.email ?? '', role: 'admin', name: 'Admin' }, password);
    },

    async touchSignIn(id: string): Promise<void> {
      await db.update(users).set({ lastSignInAt: new Date() }).where(eq(users.id, id));
    },
  };

  async function assertAnotherAdmin(exceptId: string) {
    const [row] = await db
      .select({ n: sql<number>`count(*)::int` })
      .from(users)
      .where(and(eq(users.role, 'admin'), sql`${users.id} <> ${exceptId}`));
    if ((row?.n ?? 0) === 0) throw new ApiError('conflict', 'This is the last admin: make someone else an admin first');
  }

  return service;
}

export type UserService = ReturnType<typeof createUserService>;
