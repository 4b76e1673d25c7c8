import { ApplicationFailure } from '@temporalio/activity';
import { and, eq, inArray } from 'drizzle-orm';
import { ConnectorError, type PayoutProvider, type PayoutRequest } from '../../connectors/connector.js';
import type { SecretBox } from '../../connectors/security/secret-box.js';
import type { Logger } from '../../lib/logger.js';
import { appendEvent } from '../../schema/append-event.js';
import type { Db } from '../../schema/db.js';
import { payoutJson, type PayoutRow } from '../../schema/public-json.js';
import { connectors, members, payouts, referrals, rewards } from '../../schema/tables/index.js';
import { activityFailure } from './activity-failure.js';
import { createConnectorRuntime } from './connector-runtime.js';
import { payoutConnectorFor, paysFor } from './find-payout-connector.js';
import { startSendingPayout } from './start-sending-payout.js';
import { markConnectorFailing } from './mark-connector-failing.js';
import { openConnector, type ConnectorRow } from './open-connector.js';
import { planMemberPayouts } from './plan-payouts.js';
import { recordPayoutOutcome } from './record-payout-outcome.js';

type Tx = Parameters<Parameters<Db['transaction']>[0]>[0];

export interface PayoutActivityDeps {
  db: Db;
  secretBox: SecretBox;
  allowPrivateTargets: boolean;
  logger: Logger;
}

/** What the payout workflow does next. */
export type PayoutStep = 'wait' | 'send' | 'poll' | 'done';

const usable = (row: ConnectorRow | undefined): row is ConnectorRow => !!row && row.enabled && row.status !== 'disabled';

/** "20", "20.5", "0.1234": the stored amount as an exact decimal string (numeric(18,4)). */
function decimalString(amount: number): string {
  return amount.toFixed(4).replace(/\.?0+$/, '');
}

/**
 * The payout workflow's steps. Each reads the payout row first and does nothing a final or
 * moved-on payout does not need, so a retried or repeated activity is harmless; the provider
 * always gets the payout id as its idempotency key, so a repeated send never pays twice.
 */
export function createPayoutActivities(deps: PayoutActivityDeps) {
  const { db } = deps;
  const runtime = createConnectorRuntime({ allowPrivateTargets: deps.allowPrivateTargets });

  async function connectorRow(tx: Pick<Db, 'select'>, id: string | null): Promise<ConnectorRow | undefined> {
    if (!id) return undefined;
    const [row] = await tx.select().from(connectors).where(eq(connectors.id, id));
    return row;
  }

  function provider(row: ConnectorRow): PayoutProvider {
    const payout = openConnector(row, deps.secretBox, runtime).instance.payout;
    if (!payout) throw ApplicationFailure.nonRetryable(`connector ${row.id} (${row.kind}) does not pay rewards`, 'NotPayout');
    return payout;
  }

  /**
   * A reward of this payout that is no longer payable (cancelled, denied, moved elsewhere) means
   * nothing may be sent: the payout is cancelled, its other rewards go back to approved and are
   * planned again.
   */
  async function cancelIfRewardsChanged(tx: Tx, p: PayoutRow): Promise<boolean> {
    const rows = await tx.select().from(rewards).where(inArray(rewards.id, p.rewardIds));
    const intact =
      rows.length === p.rewardIds.length && rows.every((r) => r.payoutId === p.id && ['approved', 'paying'].includes(r.status));
    if (intact) return false;
    const now = new Date();
    const [updated] = await tx
      .update(payouts)
      .set({ status: 'cancelled', failureReason: 'A reward of this payout was cancelled before it was sent', updatedAt: now })
      .where(eq(payouts.id, p.id))
      .returning();
    await tx
      .update(rewards)
      .set({ status: 'approved', payoutId: null, payoutProvider: null, updatedAt: now })
      .where(and(eq(rewards.payoutId, p.id), inArray(rewards.status, ['approved', 'paying'])));
    await appendEvent(tx, { type: 'payout.updated', programId: p.programId, subjectId: p.id, payload: payoutJson(updated!) });
    await planMemberPayouts(tx, p.memberId);
    return true;
  }

  async function recipientOf(p: PayoutRow): Promise<PayoutRequest['recipient']> {
    if (p.recipientReferralId) {
      const [referral] = await db.select().from(referrals).where(eq(referrals.id, p.recipientReferralId));
      if (!referral) throw ApplicationFailure.nonRetryable(`referral ${p.recipientReferralId} not found`, 'NotFound');
      return { email: referral.email, firstName: referral.firstName ?? undefined, lastName: referral.lastName ?? undefined };
    }
    const [member] = await db.select().from(members).where(eq(members.id, p.memberId));
    if (!member) throw ApplicationFailure.nonRetryable(`member ${p.memberId} not found`, 'NotFound');
    const paypalEmail = member.payoutDetails?.paypalEmail;
    return {
      email: member.email,
      firstName: member.firstName ?? undefined,
      lastName: member.lastName ?? undefined,
      ...(typeof paypalEmail === 'string' ? { paypalEmail } : {}),
    };
  }

  const fail = (payoutId: string, failureCode: string, failureReason: string) =>
    db.transaction((tx) => recordPayoutOutcome(tx, payoutId, { state: 'failed', failureCode, failureReason }));

  return {
    async preparePayout(input: { payoutId: string }): Promise<{ step: PayoutStep }> {
      return db.transaction(async (tx) => {
        const [p] = await tx.select().from(payouts).where(eq(payouts.id, input.payoutId)).for('update');
        if (!p) return { step: 'done' };
        switch (p.status) {
          case 'pending':
            return { step: 'wait' };
          case 'waiting_provider': {
            const row = await payoutConnectorFor(tx, p);
            if (!row) return { step: 'wait' };
            if (await cancelIfRewardsChanged(tx, p)) return { step: 'done' };
            await startSendingPayout(tx, p, row);
            return { step: 'send' };
          }
          case 'sending': {
            if (await cancelIfRewardsChanged(tx, p)) return { step: 'done' };
            const row = await connectorRow(tx, p.connectorId);
            if (usable(row) && paysFor(row, { programId: p.programId, rewardKind: p.rewardKind, currency: p.currency })) {
              return { step: 'send' };
            }
            // Its connector was switched off or deleted: wait for it (or a person) rather than guess.
            const now = new Date();
            const [updated] = await tx
              .update(payouts)
              .set({ status: 'waiting_provider', updatedAt: now })
              .where(eq(payouts.id, p.id))
              .returning();
            // Nothing is in motion any more: its rewards are back to approved (still claimed by this payout).
            await tx
              .update(rewards)
              .set({ status: 'approved', updatedAt: now })
              .where(and(eq(rewards.payoutId, p.id), eq(rewards.status, 'paying')));
            await appendEvent(tx, { type: 'payout.updated', programId: p.programId, subjectId: p.id, payload: payoutJson(updated!) });
            return { step: 'wait' };
          }
          case 'sent':
          case 'unclaimed': {
            const row = await connectorRow(tx, p.connectorId);
            // Paid by hand: people mark it paid. A deleted connector cannot be asked any more.
            if (!row || provider(row).byHand) return { step: 'done' };
            return { step: 'poll' };
          }
          default:
            return { step: 'done' };
        }
      });
    },

    async sendPayout(input: { payoutId: string }): Promise<void> {
      const [p] = await db.select().from(payouts).where(eq(payouts.id, input.payoutId));
      if (!p || p.status !== 'sending') return;
      const row = await connectorRow(db, p.connectorId);
      if (!row) return; // preparePayout sees it next and waits
      const request: PayoutRequest = {
        payoutId: p.id,
        amount: decimalString(p.amount),
        currency: p.currency,
        rewardKind: p.rewardKind,
        recipient: await recipientOf(p),
        note: 'Thank you for referring!',
      };
      try {
        const outcome = await provider(row).pay(request);
        await db.transaction((tx) => recordPayoutOutcome(tx, p.id, outcome));
      } catch (err) {
        if (!(err instanceof ConnectorError) || err.retryable) throw activityFailure(err);
        deps.logger.warn({ payoutId: p.id, connectorId: row.id, kind: err.kind, err: err.message }, 'payout refused');
        if (err.kind === 'auth') {
          const message = `${row.kind} refused the credentials: ${err.message}`;
          await markConnectorFailing(db, row, message);
          await fail(p.id, 'auth', message);
          return;
        }
        await fail(p.id, err.kind === 'invalid' ? 'invalid_request' : 'rejected', err.message);
      }
    },

    async pollPayout(input: { payoutId: string }): Promise<void> {
      const [p] = await db.select().from(payouts).where(eq(payouts.id, input.payoutId));
      if (!p || (p.status !== 'sent' && p.status !== 'unclaimed')) return;
      const row = await connectorRow(db, p.connectorId);
      if (!row) return;
      try {
        const outcome = await provider(row).status(p.id, p.providerReference ?? '');
        await db.transaction((tx) => recordPayoutOutcome(tx, p.id, outcome));
      } catch (err) {
        // The money is already out: a failed look-up changes nothing, the next poll asks again.
        deps.logger.warn(
          { payoutId: p.id, connectorId: row.id, err: err instanceof Error ? err.message : String(err) },
          'payout status unknown',
        );
      }
    },

    /** Sending gave up (retries ran out on rate limits or provider errors): the payout is failed, and `retry` sends it again. */
    async failPayout(input: { payoutId: string; reason: string }): Promise<void> {
      const [p] = await db.select().from(payouts).where(eq(payouts.id, input.payoutId));
      if (!p || p.status !== 'sending') return;
      await fail(p.id, 'provider_unavailable', `Sending gave up: ${input.reason}`);
    },
  };
}

export type PayoutActivities = ReturnType<typeof createPayoutActivities>;
