import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { Sql } from '../../schema/db.js';
import { within } from '../../lib/within.js';
import { lifecycleBacklog, type LifecycleDispatcher } from '../../workflows/dispatch/lifecycle-dispatcher.js';

/**
 * Prometheus metrics for one app instance (own registry, so tests can build many apps).
 * Dispatch lag and reward outcomes are read from Postgres at scrape time: they are facts of
 * the whole deployment, not of one process.
 */
export function createHubMetrics(sql: Sql, dispatcher?: LifecycleDispatcher) {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: 'referral_hub_' });
  const requests = new Counter({
    name: 'referral_hub_http_requests_total',
    help: 'HTTP requests',
    labelNames: ['method', 'route', 'status'],
    registers: [registry],
  });
  const latency = new Histogram({
    name: 'referral_hub_http_request_duration_seconds',
    help: 'HTTP request latency',
    labelNames: ['method', 'route'],
    buckets: [0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
    registers: [registry],
  });
  // One bounded backlog read per scrape for both gauges: a saturated pool must not hang /metrics.
  let backlogRead: { at: number; value: Promise<{ count: number; oldestSeconds: number } | null> } | undefined;
  const backlog = () => {
    if (!backlogRead || Date.now() - backlogRead.at > 1000) {
      backlogRead = { at: Date.now(), value: within(2000, lifecycleBacklog(sql), 'dispatch backlog').catch(() => null) };
    }
    return backlogRead.value;
  };
  new Gauge({
    name: 'referral_hub_dispatch_lag_seconds',
    help: 'Age of the oldest accepted fact not yet handed to Temporal (NaN: the database did not answer in time)',
    registers: [registry],
    async collect() {
      this.set((await backlog())?.oldestSeconds ?? Number.NaN);
    },
  });
  new Gauge({
    name: 'referral_hub_dispatch_pending',
    help: 'Accepted facts not yet handed to Temporal (NaN: the database did not answer in time)',
    registers: [registry],
    async collect() {
      this.set((await backlog())?.count ?? Number.NaN);
    },
  });
  if (dispatcher) {
    new Gauge({
      name: 'referral_hub_dispatcher_stalled',
      help: "1 when this process's lifecycle dispatcher has made no progress for longer than its stall bound",
      registers: [registry],
      collect() {
        this.set(dispatcher.health().stalled ? 1 : 0);
      },
    });
    new Gauge({
      name: 'referral_hub_dispatch_paused',
      help: '1 when this process runs with HUB_DISPATCH=off (accepts facts, hands none to Temporal)',
      registers: [registry],
      collect() {
        this.set(dispatcher.health().paused ? 1 : 0);
      },
    });
    new Gauge({
      name: 'referral_hub_dispatcher_progress_age_seconds',
      help: "Seconds since this process's lifecycle dispatcher last made progress (or found nothing to send)",
      registers: [registry],
      collect() {
        this.set(dispatcher.health().sinceProgressSeconds);
      },
    });
  }
  new Gauge({
    name: 'referral_hub_rewards',
    help: 'Rewards by status (workflow outcomes)',
    labelNames: ['status'],
    registers: [registry],
    async collect() {
      this.reset();
      for (const r of await sql<{ status: string; n: number }[]>`select status, count(*)::int as n from rewards group by status`)
        this.set({ status: r.status }, r.n);
    },
  });
  // Sync and delivery outcomes, for alerts: a connector failing or disabled, a scheduled file not sent.
  new Gauge({
    name: 'referral_hub_connectors',
    help: 'Connectors by kind and status (active, failing, disabled)',
    labelNames: ['kind', 'status'],
    registers: [registry],
    async collect() {
      this.reset();
      for (const r of await sql<
        { kind: string; status: string; n: number }[]
      >`select kind, status, count(*)::int as n from connectors group by kind, status`) {
        this.set({ kind: r.kind, status: r.status }, r.n);
      }
    },
  });
  new Gauge({
    name: 'referral_hub_schedule_runs_24h',
    help: 'Scheduled delivery runs started in the last 24 hours, by status',
    labelNames: ['status'],
    registers: [registry],
    async collect() {
      this.reset();
      for (const r of await sql<
        { status: string; n: number }[]
      >`select status, count(*)::int as n from schedule_runs where started_at > now() - interval '24 hours' group by status`) {
        this.set({ status: r.status }, r.n);
      }
    },
  });
  return {
    registry,
    observe(method: string, route: string, status: number, seconds: number) {
      requests.inc({ method, route, status: String(status) });
      latency.observe({ method, route }, seconds);
    },
  };
}
