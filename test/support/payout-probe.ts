import { waitFor, type Harness } from './hub-harness.js';

const FINAL = ['paid', 'failed', 'cancelled'];

export interface PayoutProbe {
  /** The member's only payout once it has this status (fails after `timeoutMs`). */
  waitForStatus(memberId: string, status: string, timeoutMs?: number): Promise<any>;
  /** The payout as the API shows it now. */
  get(payoutId: string): Promise<any>;
  /** The rewards the payout carries, as the API shows them. */
  rewards(payoutId: string): Promise<any[]>;
  /** Types of the events written for the payout and its rewards, in the order they were written. */
  events(payoutId: string): Promise<string[]>;
  /** Temporal's view of the payout's workflow: whether it still runs, and its pending activity. */
  workflow(payoutId: string): Promise<{ status: string; activityAttempt?: number; lastFailure?: string }>;
}

/**
 * What the payout end-to-end tests look at: the payout and its rewards through the API, the
 * event log they wrote, and the payout workflow in Temporal.
 */
export function payoutProbe(h: Harness): PayoutProbe {
  const probe: PayoutProbe = {
    async waitForStatus(memberId, status, timeoutMs = 30_000) {
      let last: any;
      try {
        last = await waitFor(
          async () => {
            const list = await h.call('GET', `/api/v1/payouts?memberId=${memberId}`);
            if (list.body.data.length > 1) throw new Error(`member ${memberId} has ${list.body.data.length} payouts`);
            last = list.body.data[0];
            // A payout that settled otherwise will not change by itself: no use waiting out the deadline.
            return last?.status === status || FINAL.includes(last?.status) ? last : undefined;
          },
          timeoutMs,
          `member ${memberId}'s payout ${status}`,
        );
      } catch (err) {
        throw new Error(`${(err as Error).message}; last seen: ${JSON.stringify(last)}`, { cause: err });
      }
      if (last.status !== status) throw new Error(`member ${memberId}'s payout is ${last.status}, not ${status}: ${JSON.stringify(last)}`);
      return last;
    },
    async get(payoutId) {
      const res = await h.call('GET', `/api/v1/payouts/${payoutId}`);
      if (res.status !== 200) throw new Error(`GET payout ${payoutId}: ${res.status} ${JSON.stringify(res.body)}`);
      return res.body;
    },
    async rewards(payoutId) {
      const payout = await probe.get(payoutId);
      const list = await h.call('GET', `/api/v1/rewards?memberId=${payout.memberId}&limit=200`);
      return list.body.data.filter((reward: any) => payout.rewardIds.includes(reward.id));
    },
    async events(payoutId) {
      const rows = await h.db.sql`
        select type from events
        where subject_id = ${payoutId} or subject_id in (select id from rewards where payout_id = ${payoutId})
        order by seq`;
      return rows.map((row) => row.type as string);
    },
    async workflow(payoutId) {
      const description = await h.client.workflow.getHandle(`payout:${payoutId}`).describe();
      const pending = description.raw.pendingActivities?.[0];
      return {
        status: description.status.name,
        activityAttempt: pending?.attempt ?? undefined,
        lastFailure: pending?.lastFailure?.message ?? undefined,
      };
    },
  };
  return probe;
}
