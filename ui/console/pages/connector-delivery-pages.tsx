import type { Context, Hono } from 'hono';
import { ApiError } from '../../../hub/http/api-error.js';
import { DELIVERY_STATUSES } from '../../../schema/tables/deliveries.js';
import { ActionButton } from '../components/action-button.js';
import { Field, type FieldErrors } from '../components/field.js';
import { FormAlert } from '../components/form-alert.js';
import { Pager } from '../components/pager.js';
import { SelectField } from '../components/select-field.js';
import { StatusBadge } from '../components/status-badge.js';
import { TimeText } from '../components/time-text.js';
import type { ConsoleDeps } from '../console-deps.js';
import type { ConsoleEnv } from '../console-env.js';
import { CsrfField } from '../console-layout.js';
import { consolePage } from '../console-page.js';
import { formText, readForm } from '../read-form.js';
import { canManageConnectors, type ConnectorPageServices } from './connector-page-kit.js';

const PAGE_SIZE = 25;
type DeliveryStatus = (typeof DELIVERY_STATUSES)[number];

/** A `datetime-local` value read as UTC (the console shows every time in UTC); undefined if blank, null if invalid. */
function utcTime(value: string): Date | undefined | null {
  const v = value.trim();
  if (!v) return undefined;
  const d = new Date(/(Z|[+-]\d\d:?\d\d)$/i.test(v) ? v : `${v}Z`);
  return Number.isNaN(d.getTime()) ? null : d;
}

const localValue = (d: Date | undefined | null) => (d ? d.toISOString().slice(0, 16) : '');

/**
 * Every delivery of a connector with its latest attempts (what the receiver answered, how long it
 * took, what triggered it), and the ways to send again: one delivery, the failed ones since a
 * time (a recovery workflow), or every event of a time range.
 */
export function registerConnectorDeliveryPages(ui: Hono<ConsoleEnv>, deps: ConsoleDeps, svc: ConnectorPageServices) {
  async function page(c: Context<ConsoleEnv>, refused?: { message: string; fields: FieldErrors; status: 409 | 422 }) {
    const principal = c.get('principal');
    const id = c.req.param('id')!;
    const statusParam = c.req.query('status');
    const status = DELIVERY_STATUSES.includes(statusParam as DeliveryStatus) ? (statusParam as DeliveryStatus) : undefined;
    const from = utcTime(c.req.query('from') ?? '') ?? undefined;
    const to = utcTime(c.req.query('to') ?? '') ?? undefined;
    const cursor = c.req.query('cursor') || undefined;
    const row = await svc.connectors.getRow(principal, id);
    const list = await svc.connectors.deliveries(principal, id, { limit: PAGE_SIZE, cursor, status, from, to });
    const attempts = await svc.ledger.attemptsOf(
      principal,
      id,
      list.data.map((d) => d.id),
    );
    const base = `/ui/connectors/${id}`;
    const fields = refused?.fields ?? {};
    return consolePage(
      c,
      `Delivery log: ${row.name}`,
      <>
        <p>
          <a href={base}>Back to the connector</a>
        </p>
        <FormAlert message={refused?.message} />
        {canManageConnectors(c) ? (
          <div class="grid">
            <form method="post" action={`${base}/recover`} class="card">
              <CsrfField c={c} />
              <Field
                name="since"
                label="Recover failed since (UTC)"
                type="datetime-local"
                errors={fields}
                required
                hint="Sends every failed and dead delivery since then again."
              />
              <button type="submit">Recover failed</button>
            </form>
            <form method="post" action={`${base}/replay`} class="card">
              <CsrfField c={c} />
              <Field name="replayFrom" label="Replay from (UTC)" type="datetime-local" errors={fields} required />
              <Field
                name="replayTo"
                label="Replay to (UTC)"
                type="datetime-local"
                errors={fields}
                required
                hint="Sends every matching event of the range again, delivered or not."
              />
              <button type="submit">Replay range</button>
            </form>
          </div>
        ) : null}
        <form method="get" action={`${base}/deliveries`} class="filters">
          <SelectField name="status" label="Status" empty="Any status" value={status} options={[...DELIVERY_STATUSES]} />
          <Field name="from" label="Created from (UTC)" type="datetime-local" value={localValue(from)} />
          <Field name="to" label="Created before (UTC)" type="datetime-local" value={localValue(to)} />
          <div>
            <button type="submit" class="secondary">
              Filter
            </button>
          </div>
        </form>
        {list.data.length === 0 ? (
          <p>No deliveries{status || from || to ? ' match these filters' : ' yet'}.</p>
        ) : (
          <div class="table-wrap">
            <table>
              <thead>
                <tr>
                  <th scope="col">Event</th>
                  <th scope="col">Status</th>
                  <th scope="col">Last answer</th>
                  <th scope="col">Last attempt</th>
                  <th scope="col">Attempts (newest first)</th>
                  <th scope="col">
                    <span class="sr-only">Actions</span>
                  </th>
                </tr>
              </thead>
              <tbody>
                {list.data.map((d) => (
                  <tr id={`delivery-${d.id}`}>
                    <td>
                      {d.eventType}
                      <br />
                      <span class="muted">{d.eventId}</span>
                    </td>
                    <td>
                      <StatusBadge status={d.status} />
                      {d.nextAttemptAt ? (
                        <p class="hint">
                          next try <TimeText at={d.nextAttemptAt} />
                        </p>
                      ) : null}
                    </td>
                    <td>
                      {d.responseCode ? `HTTP ${d.responseCode}` : null}
                      {d.lastError ? <p class="hint">{d.lastError}</p> : null}
                    </td>
                    <td>
                      <TimeText at={d.lastAttemptAt} />
                    </td>
                    <td>
                      <AttemptList attempts={attempts.get(d.id) ?? []} total={d.attempts} />
                    </td>
                    <td>
                      {canManageConnectors(c) ? (
                        <ActionButton c={c} action={`${base}/deliveries/${d.id}/retry`} label="Retry" kind="secondary" />
                      ) : null}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
        <Pager
          path={`${base}/deliveries`}
          query={{ status, from: c.req.query('from'), to: c.req.query('to'), cursor }}
          nextCursor={list.nextCursor}
        />
      </>,
      refused?.status ?? 200,
    );
  }

  ui.get('/connectors/:id/deliveries', (c) => page(c));

  ui.post('/connectors/:id/deliveries/:deliveryId/retry', async (c) => {
    const id = c.req.param('id');
    // The delivery must be this connector's: the service checks the caller may see its connector.
    await svc.connectors.getRow(c.get('principal'), id);
    await svc.connectors.retryDelivery(c.get('principal'), c.req.param('deliveryId'));
    deps.cookies.flash(c, 'Delivery queued to be sent again.');
    return c.redirect(`/ui/connectors/${id}/deliveries`, 303);
  });

  ui.post('/connectors/:id/recover', async (c) => {
    const id = c.req.param('id');
    const since = utcTime(formText(await readForm(c), 'since'));
    if (!since) return page(c, { message: 'Check the highlighted fields', fields: { since: 'Enter a date and time' }, status: 422 });
    try {
      const started = await svc.ledger.recover(c.get('principal'), id, since.toISOString());
      deps.cookies.flash(c, `Recovery started: ${started.queued} failed deliveries to send again.`);
      return c.redirect(`/ui/connectors/${id}/deliveries`, 303);
    } catch (err) {
      if (err instanceof ApiError && err.status === 503) return page(c, { message: err.message, fields: {}, status: 409 });
      throw err;
    }
  });

  ui.post('/connectors/:id/replay', async (c) => {
    const id = c.req.param('id');
    const form = await readForm(c);
    const from = utcTime(formText(form, 'replayFrom'));
    const to = utcTime(formText(form, 'replayTo'));
    const fields: FieldErrors = {};
    if (!from) fields.replayFrom = 'Enter a date and time';
    if (!to) fields.replayTo = 'Enter a date and time';
    else if (from && to <= from) fields.replayTo = 'Must be after the start';
    if (!from || !to || Object.keys(fields).length > 0) return page(c, { message: 'Check the highlighted fields', fields, status: 422 });
    const { queued } = await svc.connectors.replay(c.get('principal'), id, { from: from.toISOString(), to: to.toISOString() });
    deps.cookies.flash(c, `Replay queued: ${queued} events to send again.`);
    return c.redirect(`/ui/connectors/${id}/deliveries`, 303);
  });
}

type Attempt = Awaited<ReturnType<ConnectorPageServices['ledger']['attemptsOf']>> extends Map<string, (infer A)[]> ? A : never;

function AttemptList(props: { attempts: Attempt[]; total: number }) {
  if (props.attempts.length === 0) return <span class="muted">none recorded</span>;
  return (
    <table>
      <thead>
        <tr>
          <th scope="col">#</th>
          <th scope="col">Outcome</th>
          <th scope="col">Response</th>
          <th scope="col">Took</th>
          <th scope="col">At</th>
          <th scope="col">Trigger</th>
        </tr>
      </thead>
      <tbody>
        {props.attempts.map((a) => (
          <tr>
            <td class="num">{a.attempt}</td>
            <td>
              <StatusBadge status={a.outcome} />
            </td>
            <td>
              {a.httpStatus ? `HTTP ${a.httpStatus}` : (a.errorKind ?? '')}
              {a.errorMessage ? <p class="hint">{a.errorMessage}</p> : null}
              {a.responseExcerpt ? <pre>{a.responseExcerpt.slice(0, 300)}</pre> : null}
            </td>
            <td class="num">{a.durationMs} ms</td>
            <td>
              <TimeText at={a.startedAt} />
            </td>
            <td>{a.trigger}</td>
          </tr>
        ))}
        {props.total > props.attempts.length ? (
          <tr>
            <td colspan={6} class="muted">
              {props.total - props.attempts.length} older attempts not shown
            </td>
          </tr>
        ) : null}
      </tbody>
    </table>
  );
}
