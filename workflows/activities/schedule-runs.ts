import { newId } from '../../lib/ids.js';
import type { Sql } from '../../schema/db.js';

export interface AllocatedRun {
  runId: string;
  retry: boolean;
}

// A run left `running` this long has lost its workflow (terminated by hand): retry it.
const STALE_RUNNING = '6 hours';

function renderFileName(template: string, runId: string, programSlug: string, gzip: boolean): string {
  const date = new Date().toISOString().slice(0, 10);
  const name = template.replaceAll('{date}', date).replaceAll('{runId}', runId).replaceAll('{program}', programSlug);
  return gzip && !name.endsWith('.gz') ? `${name}.gz` : name;
}

/**
 * Picks the run a delivery should perform, under the schedule's row lock: the oldest failed
 * (or abandoned) run first — same range, same file name — else a new run whose range starts
 * where the newest run ended and stops at the next transaction id not yet assigned (the
 * snapshot's xmax), so ranges tile the event log: no record is skipped and none lands in two
 * runs, and everything committed before the run was allocated is in it (the delivery waits for
 * transactions below that bound that are still in flight).
 *
 * `allocatedBy` names the workflow execution asking (scheduled runs): asking twice returns the
 * same run, so an activity retried after its commit cannot strand a range.
 */
export async function allocateRun(sql: Sql, scheduleId: string, allocatedBy?: string): Promise<AllocatedRun | undefined> {
  return sql.begin(async (tx) => {
    const [schedule] = await tx<{ file_name: string; gzip: boolean; program_ids: string[] }[]>`
      select file_name, gzip, program_ids from schedules where id = ${scheduleId} for update`;
    if (!schedule) return undefined;
    if (allocatedBy) {
      // The same workflow asking again (its activity was retried after this committed): same run.
      const [mine] = await tx<{ id: string }[]>`select id from schedule_runs where allocated_by = ${allocatedBy}`;
      if (mine) return { runId: mine.id, retry: false };
    }
    const [retry] = await tx<{ id: string }[]>`
      update schedule_runs set status = 'running', started_at = now(), last_error = null, allocated_by = ${allocatedBy ?? null}
      where id = (select id from schedule_runs where schedule_id = ${scheduleId}
                  and (status = 'failed' or (status = 'running' and started_at < now() - ${STALE_RUNNING}::interval))
                  order by from_txid, from_seq limit 1)
      returning id`;
    if (retry) return { runId: retry.id, retry: true };

    // Ordered by the xid8 column itself (`r.to_txid`): an unqualified name would mean the `::text`
    // output column, compare digits as strings ('742' > '2288') and start the range inside an earlier one.
    const [last] = await tx<{ to_txid: string }[]>`
      select r.to_txid::text as to_txid from schedule_runs r where r.schedule_id = ${scheduleId} order by r.to_txid desc limit 1`;
    const slug =
      schedule.program_ids.length === 1
        ? ((await tx<{ slug: string }[]>`select slug from programs where id = ${schedule.program_ids[0]!}`)[0]?.slug ?? 'program')
        : 'all';
    const runId = newId('run');
    await tx`
      insert into schedule_runs (id, schedule_id, status, from_txid, from_seq, to_txid, file_name, allocated_by)
      values (${runId}, ${scheduleId}, 'running', ${last?.to_txid ?? '0'}::xid8, 0,
        pg_snapshot_xmax(pg_current_snapshot()), ${renderFileName(schedule.file_name, runId, slug, schedule.gzip)}, ${allocatedBy ?? null})`;
    return { runId, retry: false };
  });
}
