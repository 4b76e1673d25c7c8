import type { Context, Hono } from 'hono';
import { connectorCreateSchema, connectorPatchSchema } from '../../../hub/contracts/connector-contract.js';
import type { ConsoleDeps } from '../console-deps.js';
import type { ConsoleEnv } from '../console-env.js';
import { consolePage } from '../console-page.js';
import { formErrors } from '../form-errors.js';
import { readForm } from '../read-form.js';
import { ConnectorDetail, type TestResult } from './connector-detail.js';
import { ConnectorForm, readConnectorForm, type ConnectorDraft, type KindSchemas } from './connector-form.js';
import { kindSchemas, type ConnectorPageServices } from './connector-page-kit.js';

type Errors = ReturnType<typeof formErrors>;

/**
 * A refusal as messages next to the fields. A program-limited user who ticks no program is
 * refused by the service's program rule (403); that is a choice on this form, so it is shown
 * at the programs like any other invalid field.
 */
function refusal(err: unknown): Errors & { status: 404 | 409 | 422 } {
  const e = formErrors(err);
  if (e.status === 403) return { ...e, fields: { ...e.fields, programIds: e.message }, status: 422 };
  return e as Errors & { status: 404 | 409 | 422 };
}

/** Creating a connector from its kind's generated form, and its page: edit, enable, disable, test. */
export function registerConnectorEditPages(ui: Hono<ConsoleEnv>, deps: ConsoleDeps, svc: ConnectorPageServices) {
  const newForm = async (c: Context<ConsoleEnv>, kind: KindSchemas, draft: ConnectorDraft, errors?: Errors) =>
    consolePage(
      c,
      `New ${kind.displayName} connector`,
      <ConnectorForm
        c={c}
        action={`/ui/connectors/new/${kind.kind}`}
        kind={kind}
        draft={draft}
        storedSecrets={[]}
        programs={await svc.programs(c)}
        errors={errors?.fields}
        message={errors?.message}
        submit="Create connector"
      />,
      errors?.status ?? 200,
    );

  ui.get('/connectors/new/:kind', async (c) => {
    const kind = kindSchemas(c.req.param('kind'));
    if (!kind) return consolePage(c, 'Not found', <p>There is no connector kind of this name.</p>, 404);
    const mapping = kind.inbound ? { rows: [], entries: null, rowOfEntry: [] } : undefined;
    return newForm(c, kind, { name: '', settings: {}, secrets: {}, events: [], programIds: [], mapping });
  });

  ui.post('/connectors/new/:kind', async (c) => {
    const kind = kindSchemas(c.req.param('kind'));
    if (!kind) return consolePage(c, 'Not found', <p>There is no connector kind of this name.</p>, 404);
    const draft = readConnectorForm(kind, await readForm(c));
    try {
      const { mapping, ...rest } = draft;
      const input = connectorCreateSchema.parse({ kind: kind.kind, ...rest, ...(mapping?.entries ? { mapping: mapping.entries } : {}) });
      const created = await svc.connectors.create(c.get('principal'), input);
      deps.cookies.flash(c, 'Connector created.');
      return c.redirect(`/ui/connectors/${created.id}`, 303);
    } catch (err) {
      return newForm(c, kind, draft, refusal(err));
    }
  });

  const detail = async (c: Context<ConsoleEnv>, opts: { draft?: ConnectorDraft; errors?: Errors; test?: TestResult } = {}) => {
    const connector = svc.connectors.json(await svc.connectors.getRow(c.get('principal'), c.req.param('id')!));
    const kind = kindSchemas(connector.kind);
    const programs = await svc.programs(c);
    return consolePage(
      c,
      connector.name,
      <ConnectorDetail
        c={c}
        connector={connector}
        kind={kind}
        programs={programs}
        draft={opts.draft}
        errors={opts.errors}
        test={opts.test}
      />,
      opts.errors?.status ?? 200,
    );
  };

  ui.get('/connectors/:id', (c) => detail(c));

  ui.post('/connectors/:id', async (c) => {
    const row = await svc.connectors.getRow(c.get('principal'), c.req.param('id'));
    const kind = kindSchemas(row.kind);
    if (!kind) return consolePage(c, 'Unknown kind', <p>This connector's kind is no longer offered.</p>, 409);
    const draft = readConnectorForm(kind, await readForm(c));
    try {
      const { secrets, mapping: _mapping, ...rest } = draft;
      // Blank secret fields were left out: only what was typed replaces a stored secret.
      const input = connectorPatchSchema.parse({ ...rest, ...(Object.keys(secrets).length > 0 ? { secrets } : {}) });
      await svc.connectors.patch(c.get('principal'), row.id, input);
      deps.cookies.flash(c, 'Connector saved.');
      return c.redirect(`/ui/connectors/${row.id}`, 303);
    } catch (err) {
      return detail(c, { draft, errors: refusal(err) });
    }
  });

  for (const [action, enabled] of [
    ['enable', true],
    ['disable', false],
  ] as const) {
    ui.post(`/connectors/:id/${action}`, async (c) => {
      const id = c.req.param('id');
      await svc.connectors.patch(c.get('principal'), id, { enabled });
      deps.cookies.flash(c, enabled ? 'Connector enabled.' : 'Connector disabled.');
      return c.redirect(`/ui/connectors/${id}`, 303);
    });
  }

  ui.post('/connectors/:id/test', async (c) => detail(c, { test: await svc.connectors.test(c.get('principal'), c.req.param('id')) }));
}
