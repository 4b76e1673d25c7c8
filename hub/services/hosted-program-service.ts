import { and, eq, isNull } from 'drizzle-orm';
import type { Db } from '../../schema/db.js';
import { shareSettingsOf } from '../../schema/share-settings-of.js';
import { members, programs } from '../../schema/tables/index.js';

export interface HostedProgram {
  id: string;
  slug: string;
  name: string;
  status: 'active' | 'paused' | 'archived';
  settings: ReturnType<typeof shareSettingsOf>;
}

/** What the hosted pages read about a program and a referrer, by the public names in their URLs. */
export function createHostedProgramService(db: Db) {
  return {
    async bySlug(slug: string): Promise<HostedProgram | undefined> {
      if (!/^[a-z0-9][a-z0-9-]{1,62}$/.test(slug)) return undefined;
      const [program] = await db
        .select({ id: programs.id, slug: programs.slug, name: programs.name, status: programs.status, share: programs.share })
        .from(programs)
        .where(eq(programs.slug, slug));
      return (
        program && { id: program.id, slug: program.slug, name: program.name, status: program.status, settings: shareSettingsOf(program) }
      );
    },

    /** The member of this program whose code this is, if it is one (and not a deleted member's). */
    async referrer(programId: string, code: string | undefined): Promise<{ code: string; firstName: string | null } | undefined> {
      if (!code || code.length > 64) return undefined;
      const [member] = await db
        .select({ code: members.referralCode, firstName: members.firstName })
        .from(members)
        .where(and(eq(members.programId, programId), eq(members.referralCode, code.toUpperCase()), isNull(members.deletedAt)));
      return member;
    },
  };
}
