import type { Hono } from 'hono';
import { CONNECTORS } from '../../../connectors/registry.js';
import { Pager } from '../components/pager.js';
import { SelectField } from '../components/select-field.js';
import { StatusBadge } from '../components/status-badge.js';
import { consolePage } from '../console-page.js';
import type { ConsoleEnv } from '../console-env.js';
import { canManageConnectors, kindName, type ConnectorPageServices } from './connector-page-kit.js';

const PAGE_SIZE = 50;

/** The connectors the user can see, and the first step of a new one: choosing its kind. */
export function registerConnectorListPages(ui: Hono<ConsoleEnv>, svc: ConnectorPageServices) {
  ui.get('/connectors', async (c) => {
    const kind = c.req.query('kind') || undefined;
    const cursor = c.req.query('cursor') || undefined;
    const [page, programs] = await Promise.all([
      svc.connectors.list(c.get('principal'), { limit: PAGE_SIZE, cursor, kind }),
      svc.programs(c),
    ]);
    const programName = new Map(programs.map((p) => [p.id, p.name]));
    return consolePage(
      c,
      'Connectors',
      <>
        {canManageConnectors(c) ? (
          <p>
            <a class="button" href="/ui/connectors/new">
              New connector
            </a>
          </p>
        ) : null}
        <form method="get" action="/ui/connectors" class="filters">
          <SelectField
            name="kind"
            label="Kind"
            empty="Any kind"
            value={kind}
            options={CONNECTORS.map((k) => ({ value: k.kind, label: k.displayName }))}
          />
          <div>
            <button type="submit" class="secondary">
              Filter
            </button>
          </div>
        </form>
        {page.data.length === 0 ? (
          <p>No connectors yet.</p>
        ) : (
          <div class="table-wrap">
            <table>
              <thead>
                <tr>
                  <th scope="col">Name</th>
                  <th scope="col">Kind</th>
                  <th scope="col">Programs</th>
                  <th scope="col">Status</th>
                </tr>
              </thead>
              <tbody>
                {page.data.map((con) => (
                  <tr>
                    <td>
                      <a href={`/ui/connectors/${con.id}`}>{con.name}</a>
                    </td>
                    <td>{kindName(con.kind)}</td>
                    <td>
                      {con.programIds.length === 0 ? 'All programs' : con.programIds.map((id) => programName.get(id) ?? id).join(', ')}
                    </td>
                    <td>
                      <StatusBadge status={con.enabled ? con.status : 'disabled'} />
                      {con.statusReason ? <span class="muted"> {con.statusReason}</span> : null}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
        <Pager path="/ui/connectors" query={{ kind, cursor }} nextCursor={page.nextCursor} />
      </>,
    );
  });

  ui.get('/connectors/new', (c) =>
    consolePage(
      c,
      'New connector',
      <section>
        <h2>Choose a kind</h2>
        <ul>
          {CONNECTORS.map((k) => (
            <li>
              <a href={`/ui/connectors/new/${k.kind}`}>{k.displayName}</a>
            </li>
          ))}
        </ul>
      </section>,
    ),
  );
}
