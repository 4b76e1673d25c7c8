import type { Hono } from 'hono';
import { createInboundRequestService } from '../../../hub/services/inbound-request-service.js';
import { INBOUND_SOURCES } from '../../../schema/tables/index.js';
import { Field } from '../components/field.js';
import { Pager } from '../components/pager.js';
import { SelectField } from '../components/select-field.js';
import { StatusBadge } from '../components/status-badge.js';
import { TimeText } from '../components/time-text.js';
import type { ConsoleDeps } from '../console-deps.js';
import type { ConsoleEnv } from '../console-env.js';
import { consolePage } from '../console-page.js';

const PAGE_SIZE = 50;
type Source = (typeof INBOUND_SOURCES)[number];

const outcome = (status: number) => (status < 300 ? 'succeeded' : status < 500 ? 'rejected' : 'failed');

/**
 * The inbound webhook requests the hub kept, with the answer each sender got. They hold the
 * senders' data, so (as in the API, admin keys only) only admins open them: register-console's
 * role rule lists /ui/inbound with the other admin-only pages. What is shown is
 * what the API answers: the body as received and the answer; no header (so no signature or
 * token) is kept at all.
 */
export function registerInboundPages(ui: Hono<ConsoleEnv>, deps: ConsoleDeps) {
  const svc = createInboundRequestService(deps);

  ui.get('/inbound', async (c) => {
    const sourceParam = c.req.query('source');
    const source = INBOUND_SOURCES.includes(sourceParam as Source) ? (sourceParam as Source) : undefined;
    const connectorId = c.req.query('connectorId')?.trim().slice(0, 64) || undefined;
    const cursor = c.req.query('cursor') || undefined;
    const page = await svc.list(c.get('principal'), { limit: PAGE_SIZE, cursor, source, connectorId });
    return consolePage(
      c,
      'Inbound log',
      <>
        <form method="get" action="/ui/inbound" class="filters">
          <SelectField name="source" label="Source" empty="Any source" value={source} options={[...INBOUND_SOURCES]} />
          <Field name="connectorId" label="Connector ID" value={connectorId} />
          <div>
            <button type="submit" class="secondary">
              Filter
            </button>
          </div>
        </form>
        {page.data.length === 0 ? (
          <p>No inbound requests{source || connectorId ? ' match these filters' : ' yet'}.</p>
        ) : (
          <div class="table-wrap">
            <table>
              <thead>
                <tr>
                  <th scope="col">Received</th>
                  <th scope="col">Source</th>
                  <th scope="col">Connector</th>
                  <th scope="col">Answer</th>
                  <th scope="col">Request</th>
                </tr>
              </thead>
              <tbody>
                {page.data.map((r) => (
                  <tr>
                    <td>
                      <TimeText at={r.receivedAt} />
                    </td>
                    <td>{r.source}</td>
                    <td>{r.connectorId ? <a href={`/ui/connectors/${r.connectorId}`}>{r.connectorId}</a> : '—'}</td>
                    <td>
                      <StatusBadge status={outcome(r.status)} /> HTTP {r.status}
                    </td>
                    <td>
                      <a href={`/ui/inbound/${r.id}`}>{r.id}</a>
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
        <Pager path="/ui/inbound" query={{ source, connectorId, cursor }} nextCursor={page.nextCursor} />
      </>,
    );
  });

  ui.get('/inbound/:id', async (c) => {
    const r = await svc.get(c.get('principal'), c.req.param('id'));
    return consolePage(
      c,
      `Inbound request ${r.id}`,
      <>
        <p>
          <a href="/ui/inbound">Back to the inbound log</a>
        </p>
        <section>
          <dl class="facts">
            <dt>Received</dt>
            <dd>
              <TimeText at={r.receivedAt} />
            </dd>
            <dt>Source</dt>
            <dd>{r.source}</dd>
            <dt>Connector</dt>
            <dd>{r.connectorId ? <a href={`/ui/connectors/${r.connectorId}`}>{r.connectorId}</a> : '—'}</dd>
            <dt>Content type</dt>
            <dd>{r.contentType ?? '—'}</dd>
            <dt>Answer</dt>
            <dd>
              <StatusBadge status={outcome(r.status)} /> HTTP {r.status}
            </dd>
          </dl>
        </section>
        <h2>Body as received</h2>
        <pre>{r.rawBody}</pre>
        <h2>Answer sent</h2>
        <pre>{r.answer === null || r.answer === undefined ? '(none)' : JSON.stringify(r.answer, null, 2)}</pre>
      </>,
    );
  });
}
