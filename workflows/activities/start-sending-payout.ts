import { and, eq, inArray } from 'drizzle-orm';
import { appendEvent } from '../../schema/append-event.js';
import type { Db } from '../../schema/db.js';
import { payoutJson, type PayoutRow } from '../../schema/public-json.js';
import { payouts, rewards } from '../../schema/tables/index.js';
import type { ConnectorRow } from './open-connector.js';

type Tx = Parameters<Parameters<Db['transaction']>[0]>[0];

/**
 * Puts a payout on its way, inside the caller's transaction: `sending` through `row` (one more
 * attempt, any hold or failure cleared, its rewards `paying`), or `waiting_provider` when no
 * connector pays it (its rewards back to approved). Emits `payout.updated`, which wakes its workflow.
 */
export async function startSendingPayout(tx: Tx, p: PayoutRow, row: ConnectorRow | undefined): Promise<PayoutRow> {
  const now = new Date();
  const [updated] = await tx
    .update(payouts)
    .set({
      status: row ? 'sending' : 'waiting_provider',
      holdReason: null,
      failureReason: null,
      failureCode: null,
      ...(row ? { connectorId: row.id, provider: row.kind, attempts: p.attempts + 1 } : {}),
      updatedAt: now,
    })
    .where(eq(payouts.id, p.id))
    .returning();
  await tx
    .update(rewards)
    .set({ status: row ? 'paying' : 'approved', ...(row ? { payoutProvider: row.kind } : {}), updatedAt: now })
    .where(and(eq(rewards.payoutId, p.id), inArray(rewards.status, ['approved', 'paying', 'failed'])));
  await appendEvent(tx, { type: 'payout.updated', programId: p.programId, subjectId: p.id, payload: payoutJson(updated!) });
  return updated!;
}
