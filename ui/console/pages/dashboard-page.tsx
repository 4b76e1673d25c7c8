import type { Hono } from 'hono';
import {
  createDashboardService,
  DASHBOARD_DAYS,
  type DashboardOverview,
  type MoneyTotal,
} from '../../../hub/services/dashboard-service.js';
import { ChartLegend, DailyChart, type ChartSeries } from '../components/daily-chart.js';
import { StatusBadge } from '../components/status-badge.js';
import { TimeText } from '../components/time-text.js';
import type { ConsoleDeps } from '../console-deps.js';
import type { ConsoleEnv } from '../console-env.js';
import { consolePage } from '../console-page.js';

const money = (totals: MoneyTotal[]) =>
  totals.length === 0
    ? '0'
    : totals.map((t) => `${t.amount.toLocaleString('en-US', { maximumFractionDigits: 2 })} ${t.currency}`).join(', ');
const countOf = (totals: MoneyTotal[]) => totals.reduce((s, t) => s + t.count, 0);

/** The landing page after sign-in: how the programs are doing and what needs attention. */
export function registerDashboardPage(ui: Hono<ConsoleEnv>, deps: ConsoleDeps) {
  const dashboard = createDashboardService(deps);
  ui.get('/', async (c) => {
    const d = await dashboard.overview(c.get('principal'));
    const limited = c.get('principal').programIds.length > 0;
    return consolePage(
      c,
      'Dashboard',
      <>
        <Activity d={d} />
        <section>
          <h2>Connectors needing attention</h2>
          <Connectors d={d} />
        </section>
        <section>
          <h2>Latest schedule runs</h2>
          <Runs d={d} />
        </section>
        <section>
          <h2>Dispatch</h2>
          <Dispatch d={d} limited={limited} temporalUiUrl={deps.temporalUiUrl} />
        </section>
      </>,
    );
  });
}

function Activity(props: { d: DashboardOverview }) {
  const { d } = props;
  const series: ChartSeries[] = [
    { label: 'Conversions', values: d.days.map((x) => x.conversions), color: '#1d47b8' },
    { label: 'Rewards', values: d.days.map((x) => x.rewards), color: '#116329', dash: '6 3' },
    { label: 'Payouts', values: d.days.map((x) => x.payouts), color: '#7a4b00', dash: '2 3' },
  ];
  const summary =
    `From ${d.since} to today: ${d.totals.conversions} conversions, ${countOf(d.totals.rewards)} rewards and ` +
    `${countOf(d.totals.payouts)} payouts. Busiest day for conversions: ` +
    (d.totals.conversions === 0 ? 'none.' : `${d.days.reduce((a, b) => (b.conversions > a.conversions ? b : a)).day}.`);
  return (
    <section>
      <h2>Last {DASHBOARD_DAYS} days</h2>
      <div class="grid">
        <div>
          <p class="muted">Conversions</p>
          <p class="stat">{d.totals.conversions}</p>
        </div>
        <div>
          <p class="muted">Rewards</p>
          <p class="stat">{countOf(d.totals.rewards)}</p>
          <p class="hint">Worth {money(d.totals.rewards)} (not denied or cancelled)</p>
        </div>
        <div>
          <p class="muted">Payouts</p>
          <p class="stat">{countOf(d.totals.payouts)}</p>
          <p class="hint">Paid {money(d.totals.payouts)}</p>
        </div>
      </div>
      <div class="chart">
        <DailyChart
          id="activity-chart"
          title={`Conversions, rewards and payouts per day, last ${DASHBOARD_DAYS} days`}
          description={summary}
          days={d.days.map((x) => x.day)}
          series={series}
        />
      </div>
      <ChartLegend series={series} />
      <p class="sr-only">{summary}</p>
      <details>
        <summary>Numbers per day</summary>
        <div class="table-wrap">
          <table>
            <caption class="sr-only">Conversions, rewards and payouts per day (UTC)</caption>
            <thead>
              <tr>
                <th>Day (UTC)</th>
                <th class="num">Conversions</th>
                <th class="num">Rewards</th>
                <th class="num">Payouts</th>
              </tr>
            </thead>
            <tbody>
              {d.days.map((x) => (
                <tr>
                  <td>{x.day}</td>
                  <td class="num">{x.conversions}</td>
                  <td class="num">{x.rewards}</td>
                  <td class="num">{x.payouts}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      </details>
    </section>
  );
}

function Connectors(props: { d: DashboardOverview }) {
  if (props.d.connectors.length === 0) return <p>Every connector is working.</p>;
  return (
    <div class="table-wrap">
      <table>
        <thead>
          <tr>
            <th>Connector</th>
            <th>Kind</th>
            <th>Status</th>
            <th>Reason</th>
            <th>Since</th>
          </tr>
        </thead>
        <tbody>
          {props.d.connectors.map((k) => (
            <tr>
              <td>
                <a href={`/ui/connectors/${k.id}`}>{k.name}</a>
              </td>
              <td>{k.kind}</td>
              <td>
                <StatusBadge status={k.enabled ? k.status : 'disabled'} />
              </td>
              <td>{k.reason ?? (k.enabled ? '—' : 'turned off')}</td>
              <td>
                <TimeText at={k.updatedAt} />
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

function Runs(props: { d: DashboardOverview }) {
  if (props.d.runs.length === 0) return <p class="muted">No schedule has run yet.</p>;
  return (
    <div class="table-wrap">
      <table>
        <thead>
          <tr>
            <th>Schedule</th>
            <th>Status</th>
            <th class="num">Records</th>
            <th>Started</th>
            <th>Finished</th>
            <th>Error</th>
          </tr>
        </thead>
        <tbody>
          {props.d.runs.map((r) => (
            <tr>
              <td>
                <a href={`/ui/schedules/${r.scheduleId}`}>{r.scheduleName}</a>
              </td>
              <td>
                <StatusBadge status={r.status} />
              </td>
              <td class="num">{r.recordCount ?? '—'}</td>
              <td>
                <TimeText at={r.startedAt} />
              </td>
              <td>
                <TimeText at={r.finishedAt} />
              </td>
              <td>{r.lastError ?? ''}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

/**
 * How far the lifecycle dispatcher (committed events → Temporal) is behind. The backlog is
 * counted across all programs, so a user limited to some programs sees only whether it lags.
 */
function Dispatch(props: { d: DashboardOverview; limited: boolean; temporalUiUrl?: string }) {
  const { backlog, health } = props.d.dispatch;
  const lagging = backlog !== null && backlog.count > 0;
  const state = health?.paused ? 'paused' : health?.stalled ? 'stalled' : backlog === null ? 'unknown' : lagging ? 'behind' : 'healthy';
  const workflows = props.temporalUiUrl ? `${props.temporalUiUrl.replace(/\/$/, '')}/namespaces/default/workflows` : null;
  return (
    <>
      <dl class="facts">
        <dt>Lifecycle dispatcher</dt>
        <dd>
          <StatusBadge status={state} />
          {health?.paused
            ? ' this hub runs with HUB_DISPATCH=off: facts are kept and handed to Temporal once dispatch is on again'
            : health?.stalled
              ? ` no progress for ${Math.round(health.sinceProgressSeconds)} s${health.lastError ? ` (${health.lastError})` : ''}`
              : null}
        </dd>
        {!props.limited ? (
          <>
            <dt>Undispatched events</dt>
            <dd>{backlog === null ? 'could not be counted in time' : backlog.count}</dd>
          </>
        ) : null}
        <dt>Oldest waiting</dt>
        <dd>{lagging ? `${Math.round(backlog.oldestSeconds)} s` : '—'}</dd>
      </dl>
      {workflows ? (
        <p>
          Temporal: <a href={workflows}>all workflows</a> ·{' '}
          <a href={`${workflows}?query=${encodeURIComponent('ExecutionStatus="Failed"')}`}>failed workflows</a> ·{' '}
          <a href={`${workflows}?query=${encodeURIComponent('ExecutionStatus="Running"')}`}>running workflows</a>
        </p>
      ) : null}
    </>
  );
}
