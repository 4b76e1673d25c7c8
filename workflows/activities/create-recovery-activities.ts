import type { Sql } from '../../schema/db.js';

export interface RecoveryActivityDeps {
  sql: Sql;
}

export interface RecoveryProgress {
  /** True once nothing is left to send (or the connector, and its recovery, were deleted). */
  done: boolean;
  remaining: number;
}

/** Activities for connectorRecovery: queue a recovery's deliveries once, then report how far it got. */
export function createRecoveryActivities(deps: RecoveryActivityDeps) {
  return {
    /**
     * Copies the connector's failed and dead deliveries since the recovery's time (and before it
     * was asked for) to the replay queue. Done once: a retried call finds it done and answers the same.
     */
    async queueRecovery(input: { recoveryId: string }): Promise<{ queued: number }> {
      return deps.sql.begin(async (tx) => {
        const [recovery] = await tx<{ connector_id: string; queued: number | null; queued_at: Date | null }[]>`
          select connector_id, queued, queued_at from connector_recoveries where id = ${input.recoveryId} for update`;
        if (!recovery) return { queued: 0 };
        if (recovery.queued_at) return { queued: recovery.queued ?? 0 };
        const [row] = await tx<{ n: number }[]>`
          with queued as (
            insert into connector_replays (connector_id, event_id, trigger, recovery_id)
            select d.connector_id, d.event_id, 'recover', r.id
            from connector_recoveries r join deliveries d on d.connector_id = r.connector_id
            where r.id = ${input.recoveryId} and d.status in ('failed', 'dead') and d.last_attempt_at >= r.since and d.last_attempt_at < r.created_at
            order by d.last_attempt_at
            -- Already queued by a retry or replay: it goes out once, under that request.
            on conflict do nothing
            returning 1
          )
          select count(*)::int as n from queued`;
        const queued = row?.n ?? 0;
        await tx`update connector_recoveries set queued = ${queued}, remaining = ${queued}, queued_at = now() where id = ${input.recoveryId}`;
        return { queued };
      });
    },

    /** Counts what is still queued and what got through (or was refused), and closes the recovery at zero. */
    async recoveryProgress(input: { recoveryId: string }): Promise<RecoveryProgress> {
      const [row] = await deps.sql<{ remaining: number; status: string }[]>`
        with remaining as (select count(*)::int as n from connector_replays where recovery_id = ${input.recoveryId}),
        outcomes as (
          select count(distinct delivery_id) filter (where outcome = 'succeeded')::int as succeeded,
                 count(distinct delivery_id) filter (where outcome = 'dead')::int as dead
          from delivery_attempts where recovery_id = ${input.recoveryId}
        )
        update connector_recoveries r set remaining = remaining.n, succeeded = outcomes.succeeded, dead = outcomes.dead,
          status = case when remaining.n = 0 then 'completed' else 'running' end,
          finished_at = case when remaining.n = 0 then now() end
        from remaining, outcomes
        where r.id = ${input.recoveryId}
        returning r.remaining, r.status`;
      if (!row) return { done: true, remaining: 0 };
      return { done: row.status === 'completed', remaining: row.remaining };
    },
  };
}

export type RecoveryActivities = ReturnType<typeof createRecoveryActivities>;
