import { newId, type IdPrefix } from '../../lib/ids.js';
import { within } from '../../lib/within.js';
import type { Sql } from '../../schema/db.js';
import { lifecycleBacklog, type LifecycleDispatcher } from '../../workflows/dispatch/lifecycle-dispatcher.js';
import type { Principal } from '../http/hub-env.js';

export const DASHBOARD_DAYS = 30;
const DAY_MS = 86_400_000;
const BACKLOG_CHECK_MS = 2000;

export interface DashboardDay {
  /** UTC date, YYYY-MM-DD. */
  day: string;
  conversions: number;
  rewards: number;
  payouts: number;
}

export interface MoneyTotal {
  currency: string;
  count: number;
  amount: number;
}

/**
 * The smallest id made at or after `at`: ids start with their creation time, so "created in the
 * last 30 days" is a range on the primary key (or on a `(program_id, id)` index) instead of a
 * scan of every row.
 */
const firstIdAt = (prefix: IdPrefix, at: Date) => `${prefix}_${newId(prefix, at.getTime()).slice(prefix.length + 1, prefix.length + 11)}`;

/**
 * The console dashboard's numbers: activity per day over the last 30 days, connectors that need
 * attention, the latest schedule runs and the dispatcher's lag. A principal limited to some
 * programs gets only those programs' numbers, connectors and schedules.
 */
export function createDashboardService(deps: { sql: Sql; dispatcher?: LifecycleDispatcher }) {
  const { sql } = deps;

  async function activity(principal: Principal, now: Date) {
    const today = Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate());
    const since = new Date(today - (DASHBOARD_DAYS - 1) * DAY_MS);
    const limited = principal.programIds.length > 0;
    const inPrograms = limited ? sql`and program_id = any(${principal.programIds})` : sql``;
    const [referralRows, rewardRows, payoutRows] = await Promise.all([
      sql<{ day: string; n: number }[]>`
        select to_char(created_at at time zone 'UTC', 'YYYY-MM-DD') as day, count(*)::int as n
        from referrals
        where id >= ${firstIdAt('ref', since)} and created_at >= ${since.toISOString()}::timestamptz ${inPrograms}
        group by 1`,
      sql<{ day: string; currency: string; n: number; amount: number }[]>`
        select to_char(created_at at time zone 'UTC', 'YYYY-MM-DD') as day, currency, count(*)::int as n,
               coalesce(sum(amount) filter (where status not in ('denied', 'cancelled')), 0)::float8 as amount
        from rewards
        where id >= ${firstIdAt('rwd', since)} and created_at >= ${since.toISOString()}::timestamptz ${inPrograms}
        group by 1, 2`,
      sql<{ day: string; currency: string; n: number; amount: number }[]>`
        select to_char(created_at at time zone 'UTC', 'YYYY-MM-DD') as day, currency, count(*)::int as n,
               coalesce(sum(amount) filter (where status = 'paid'), 0)::float8 as amount
        from payouts
        where id >= ${firstIdAt('pay', since)} and created_at >= ${since.toISOString()}::timestamptz ${inPrograms}
        group by 1, 2`,
    ]);
    const days: DashboardDay[] = Array.from({ length: DASHBOARD_DAYS }, (_, i) => ({
      day: new Date(since.getTime() + i * DAY_MS).toISOString().slice(0, 10),
      conversions: 0,
      rewards: 0,
      payouts: 0,
    }));
    const byDay = new Map(days.map((d) => [d.day, d]));
    // A row stamped after today (a clock ahead) counts in the totals but has no bar.
    const add = (day: string, key: 'conversions' | 'rewards' | 'payouts', n: number) => {
      const d = byDay.get(day);
      if (d) d[key] += n;
    };
    for (const r of referralRows) add(r.day, 'conversions', r.n);
    for (const r of rewardRows) add(r.day, 'rewards', r.n);
    for (const r of payoutRows) add(r.day, 'payouts', r.n);
    const totals = (rows: { currency: string; n: number; amount: number }[]): MoneyTotal[] => {
      const map = new Map<string, MoneyTotal>();
      for (const r of rows) {
        const t = map.get(r.currency) ?? { currency: r.currency, count: 0, amount: 0 };
        t.count += r.n;
        t.amount += r.amount;
        map.set(r.currency, t);
      }
      return [...map.values()].sort((a, b) => a.currency.localeCompare(b.currency));
    };
    return {
      since: since.toISOString().slice(0, 10),
      days,
      totals: {
        conversions: referralRows.reduce((s, r) => s + r.n, 0),
        rewards: totals(rewardRows),
        payouts: totals(payoutRows),
      },
    };
  }

  // The resource rule for connectors and schedules (see program-scope): an empty list means every
  // program, which a limited principal does not see.
  const visible = (principal: Principal, column: string) =>
    principal.programIds.length > 0
      ? sql`and cardinality(${sql(column)}) > 0 and ${sql(column)} <@ ${principal.programIds}::text[]`
      : sql``;

  async function troubledConnectors(principal: Principal) {
    return sql<{ id: string; name: string; kind: string; status: string; enabled: boolean; reason: string | null; updatedAt: Date }[]>`
      select id, name, kind, status, enabled, status_reason as reason, updated_at as "updatedAt"
      from connectors
      where (status <> 'active' or not enabled) ${visible(principal, 'program_ids')}
      order by updated_at desc
      limit 20`;
  }

  async function latestRuns(principal: Principal) {
    return sql<
      {
        id: string;
        scheduleId: string;
        scheduleName: string;
        status: string;
        recordCount: number | null;
        lastError: string | null;
        startedAt: Date;
        finishedAt: Date | null;
      }[]
    >`
      select r.id, r.schedule_id as "scheduleId", s.name as "scheduleName", r.status, r.record_count as "recordCount",
             r.last_error as "lastError", r.started_at as "startedAt", r.finished_at as "finishedAt"
      from schedule_runs r join schedules s on s.id = r.schedule_id
      where true ${visible(principal, 's.program_ids')}
      order by r.id desc
      limit 10`;
  }

  /** The dispatcher's lag: undispatched referral/payout events and whether this process's loop is stalled. */
  async function dispatch() {
    const backlog = await within(BACKLOG_CHECK_MS, lifecycleBacklog(sql), 'dispatch backlog').catch(() => null);
    const health = deps.dispatcher?.health() ?? null;
    return { backlog, health };
  }

  return {
    async overview(principal: Principal, now = new Date()) {
      const [act, connectors, runs, lag] = await Promise.all([
        activity(principal, now),
        troubledConnectors(principal),
        latestRuns(principal),
        dispatch(),
      ]);
      return { ...act, connectors, runs, dispatch: lag };
    },
  };
}

export type DashboardOverview = Awaited<ReturnType<ReturnType<typeof createDashboardService>['overview']>>;
