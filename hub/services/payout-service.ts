import { and, desc, eq, inArray, lt } from 'drizzle-orm';
import { appendEvent } from '../../schema/append-event.js';
import type { Db } from '../../schema/db.js';
import { payoutJson, type PayoutRow } from '../../schema/public-json.js';
import { payouts, rewards, type PayoutStatus } from '../../schema/tables/index.js';
import { payoutConnectorFor } from '../../workflows/activities/find-payout-connector.js';
import { startSendingPayout } from '../../workflows/activities/start-sending-payout.js';
import { recordPayoutOutcome } from '../../workflows/activities/record-payout-outcome.js';
import { ApiError } from '../http/api-error.js';
import { assertProgramAccess, canAccessProgram } from '../http/api-key-auth.js';
import type { Principal } from '../http/hub-env.js';
import { decodeCursor, pageOf } from './page-cursor.js';

type Tx = Parameters<Parameters<Db['transaction']>[0]>[0];

// Nothing has gone to a provider yet in these, so they can still be cancelled.
const CANCELLABLE: PayoutStatus[] = ['pending', 'waiting_provider', 'failed'];
// A send (or a retry) already under way: a second click answers the same.
const ALREADY_GOING: PayoutStatus[] = ['sending', 'sent', 'unclaimed', 'paid'];

const conflict = (p: PayoutRow, action: string, why: string) =>
  new ApiError('conflict', `Payout ${p.id} cannot be ${action}: ${why}`, [{ path: 'status', message: p.status }]);

/** The payout endpoints. State changes commit with a `payout.updated` event, which wakes the payout's workflow. */
export function createPayoutService(db: Db) {
  async function lock(tx: Tx, principal: Principal, id: string): Promise<PayoutRow> {
    const [row] = await tx.select().from(payouts).where(eq(payouts.id, id)).for('update');
    if (!row || !canAccessProgram(principal, row.programId)) throw new ApiError('not_found', `Payout ${id} not found`);
    return row;
  }

  const connectorFor = (tx: Tx, p: PayoutRow) => payoutConnectorFor(tx, p);
  const dispatch = async (tx: Tx, p: PayoutRow) => startSendingPayout(tx, p, await connectorFor(tx, p));

  return {
    async get(principal: Principal, id: string) {
      const [row] = await db.select().from(payouts).where(eq(payouts.id, id));
      if (!row || !canAccessProgram(principal, row.programId)) throw new ApiError('not_found', `Payout ${id} not found`);
      return payoutJson(row);
    },

    async list(
      principal: Principal,
      q: { programId?: string; memberId?: string; connectorId?: string; status?: PayoutStatus; limit: number; cursor?: string },
    ) {
      if (q.programId) assertProgramAccess(principal, q.programId);
      const after = decodeCursor(q.cursor, 1);
      const rows = await db
        .select()
        .from(payouts)
        .where(
          and(
            q.programId ? eq(payouts.programId, q.programId) : undefined,
            principal.programIds.length > 0 ? inArray(payouts.programId, principal.programIds) : undefined,
            q.memberId ? eq(payouts.memberId, q.memberId) : undefined,
            q.connectorId ? eq(payouts.connectorId, q.connectorId) : undefined,
            q.status ? eq(payouts.status, q.status) : undefined,
            after ? lt(payouts.id, after[0] as string) : undefined,
          ),
        )
        .orderBy(desc(payouts.id))
        .limit(q.limit + 1);
      const page = pageOf(rows, q.limit, (r) => [r.id]);
      return { data: page.data.map(payoutJson), nextCursor: page.nextCursor };
    },

    /** Sends a payout held for a person (autoPay off, or above the daily cap). */
    async send(principal: Principal, id: string) {
      return db.transaction(async (tx) => {
        const p = await lock(tx, principal, id);
        if (ALREADY_GOING.includes(p.status) || p.status === 'waiting_provider') return payoutJson(p);
        if (p.status === 'failed') throw conflict(p, 'sent', 'it failed; use retry to send it again');
        if (p.status !== 'pending') throw conflict(p, 'sent', `it is ${p.status}`);
        return payoutJson(await dispatch(tx, p));
      });
    },

    /** Sends a failed payout again, with the same idempotency key. */
    async retry(principal: Principal, id: string) {
      return db.transaction(async (tx) => {
        const p = await lock(tx, principal, id);
        if (p.status === 'sending' || p.status === 'waiting_provider') return payoutJson(p);
        if (p.status !== 'failed') throw conflict(p, 'retried', `only a failed payout is retried, and it is ${p.status}`);
        return payoutJson(await dispatch(tx, p));
      });
    },

    /** Cancels a payout nothing was sent for; its rewards go back to approved. */
    async cancel(principal: Principal, id: string) {
      return db.transaction(async (tx) => {
        const p = await lock(tx, principal, id);
        if (p.status === 'cancelled') return payoutJson(p);
        // Paid by hand: nothing has left until a person marks it paid.
        const unsentByHand = p.provider === 'manual' && (p.status === 'sending' || p.status === 'sent');
        if (!CANCELLABLE.includes(p.status) && !unsentByHand) {
          throw conflict(p, 'cancelled', `it is ${p.status}, so the provider may already be paying it`);
        }
        const now = new Date();
        const [updated] = await tx.update(payouts).set({ status: 'cancelled', updatedAt: now }).where(eq(payouts.id, id)).returning();
        await tx
          .update(rewards)
          .set({ status: 'approved', payoutId: null, payoutProvider: null, updatedAt: now })
          .where(and(eq(rewards.payoutId, id), inArray(rewards.status, ['approved', 'paying', 'failed'])));
        await appendEvent(tx, { type: 'payout.updated', programId: p.programId, subjectId: id, payload: payoutJson(updated!) });
        return payoutJson(updated!);
      });
    },

    /** Records that people paid a manual payout themselves, with their own reference. */
    async markPaid(principal: Principal, id: string, reference: string) {
      return db.transaction(async (tx) => {
        const p = await lock(tx, principal, id);
        if (p.status === 'paid') return payoutJson(p);
        const row = p.provider === 'manual' ? undefined : await connectorFor(tx, p);
        if (p.provider !== 'manual' && row?.kind !== 'manual') {
          throw conflict(p, 'marked paid', 'only payouts paid by hand (a manual connector) are marked paid; providers report their own');
        }
        if (!['pending', 'sending', 'sent'].includes(p.status)) throw conflict(p, 'marked paid', `it is ${p.status}`);
        if (row) await tx.update(payouts).set({ connectorId: row.id, provider: row.kind }).where(eq(payouts.id, id));
        const paid = await recordPayoutOutcome(tx, id, { state: 'paid', providerReference: reference });
        return payoutJson(paid!);
      });
    },
  };
}
