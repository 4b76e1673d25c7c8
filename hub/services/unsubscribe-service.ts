import { and, eq } from 'drizzle-orm';
import { verifyUnsubscribeToken } from '../../lib/unsubscribe-token.js';
import type { Db } from '../../schema/db.js';
import { emailSuppressions, programs } from '../../schema/tables/index.js';

export interface UnsubscribeTarget {
  programId: string;
  programName: string;
  email: string;
  suppressed: boolean;
}

/**
 * The unsubscribe link in every share email (`/u/<token>`): the signed token names the program
 * and the address, so the link is its own credential and needs no table of its own.
 */
export function createUnsubscribeService(db: Db, key: Buffer) {
  async function targetOf(token: string): Promise<UnsubscribeTarget | undefined> {
    const subject = verifyUnsubscribeToken(key, token);
    if (!subject) return undefined;
    const [program] = await db.select({ name: programs.name }).from(programs).where(eq(programs.id, subject.programId));
    if (!program) return undefined;
    const [hit] = await db
      .select({ email: emailSuppressions.email })
      .from(emailSuppressions)
      .where(and(eq(emailSuppressions.programId, subject.programId), eq(emailSuppressions.email, subject.email)));
    return { ...subject, programName: program.name, suppressed: hit !== undefined };
  }

  return {
    targetOf,
    /** Suppresses the address for the program (again is fine); undefined for a token that is not ours. */
    async unsubscribe(token: string): Promise<UnsubscribeTarget | undefined> {
      const target = await targetOf(token);
      if (!target) return undefined;
      await db
        .insert(emailSuppressions)
        .values({ programId: target.programId, email: target.email, reason: 'unsubscribed' })
        .onConflictDoNothing();
      return { ...target, suppressed: true };
    },
  };
}
