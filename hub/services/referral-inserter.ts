import { createMicroBatcher } from '../../lib/create-micro-batcher.js';
import { currentActor } from '../../lib/actor-context.js';
import type { Sql } from '../../schema/db.js';
import type { EventActor } from '../../schema/tables/events.js';
import type { ReferralRow } from '../../schema/public-json.js';
import { insertReferralRows } from './insert-referral-rows.js';

export type ReferralInserter = (row: ReferralRow) => Promise<boolean>;

/**
 * The referral and its `referral.created` event, committed together; resolves true, or false
 * when the program already has a referral for that email.
 *
 * Group commit for the hub's hot path. Conversions that arrive while earlier ones are being
 * written wait and go together in the next statement: one round trip and one WAL flush for all
 * of them instead of one each. Every caller is answered only after its own row is committed, and
 * under light load a batch is a single row that waits for nothing.
 */
export function createReferralInserter(pg: Sql): ReferralInserter {
  // Two statements in flight: one commits while the next one fills. 256 takes every waiting
  // request of a busy hub and still keeps one statement short.
  const batch = createMicroBatcher({
    maxBatch: 256,
    maxInFlight: 2,
    async run(items: { row: ReferralRow; actor: EventActor | null }[]) {
      const ids = await insertReferralRows(
        pg,
        items.map((i) => i.row),
        items.map((i) => i.actor),
      );
      return items.map((i) => ids.has(i.row.id));
    },
  });
  // The actor is read here, in the caller's request, not in whichever request's turn runs the batch.
  return (row) => batch({ row, actor: currentActor() ?? null });
}
