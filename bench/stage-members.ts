import { newId } from '../lib/ids.js';
import type { Db } from '../schema/db.js';
import { memberJson } from '../schema/public-json.js';
import { events, members } from '../schema/tables/index.js';

const CHUNK = 1000;

/**
 * Writes `total` members and their member.created events as the API's member create does (the
 * member row, and one event whose payload is the member's public JSON), a thousand per
 * transaction: the sync bench measures the push, and 100,000 single API calls would take longer
 * on a shared two-core box than the whole measurement. Referral codes are numbered, not random,
 * so none collide.
 */
export async function stageMembers(db: Db, publicUrl: string, programId: string, total: number): Promise<{ seconds: number }> {
  const started = performance.now();
  for (let from = 0; from < total; from += CHUNK) {
    await db.transaction(async (tx) => {
      const now = new Date();
      const rows = await tx
        .insert(members)
        .values(
          Array.from({ length: Math.min(CHUNK, total - from) }, (_, k) => {
            const i = from + k;
            return {
              id: newId('mem'),
              programId,
              email: `member-${i}@bench.example`,
              firstName: `Member${i}`,
              referralCode: `BENCH${i.toString(36).toUpperCase()}`,
              customFields: {},
              createdAt: now,
              updatedAt: now,
            };
          }),
        )
        .returning();
      await tx.insert(events).values(
        rows.map((m) => ({
          id: newId('evt'),
          type: 'member.created' as const,
          programId,
          subjectId: m.id,
          payload: memberJson(m, publicUrl),
          actor: null,
        })),
      );
    });
  }
  return { seconds: (performance.now() - started) / 1000 };
}
