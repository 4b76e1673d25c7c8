import type { Context, Hono } from 'hono';
import { connectorDefinition } from '../../../connectors/registry.js';
import { connectorPatchSchema } from '../../../hub/contracts/connector-contract.js';
import type { FieldErrors } from '../components/field.js';
import { FormAlert } from '../components/form-alert.js';
import type { ConsoleDeps } from '../console-deps.js';
import type { ConsoleEnv } from '../console-env.js';
import { CsrfField } from '../console-layout.js';
import { consolePage } from '../console-page.js';
import { formErrors } from '../form-errors.js';
import { formText, readForm } from '../read-form.js';
import { canManageConnectors, type ConnectorPageServices } from './connector-page-kit.js';
import { errorsByRow, MappingRows, readMappingForm, rowsOf, type MappingRow } from './mapping-form.js';

const PREVIEW_RECORDS = 5;

type Preview = { data: { eventId: string; type: string; data: unknown }[] } | { error: string } | { note: string };

const INBOUND_NOTE =
  'An inbound connector maps what other systems post (body.…): the inbound log shows what arrived and what was answered.';

/** What the mapping makes of the newest real records; nothing is sent. */
function MappingPreview(props: { preview: Preview }) {
  const p = props.preview;
  return (
    <section id="mapping-preview" aria-live="polite">
      <h2>Preview</h2>
      {'note' in p ? (
        <p>{p.note}</p>
      ) : 'error' in p ? (
        <p class="alert">{p.error}</p>
      ) : p.data.length === 0 ? (
        <p>No matching records yet: the preview uses the newest events this connector would send.</p>
      ) : (
        p.data.map((r) => (
          <>
            <h3>
              {r.type} <span class="muted">{r.eventId}</span>
            </h3>
            <pre>{JSON.stringify(r.data, null, 2)}</pre>
          </>
        ))
      )}
    </section>
  );
}

/**
 * The field mapping editor with a live preview on real records. Without JavaScript, "Preview"
 * posts the form and the page comes back with the preview of what was typed (nothing saved);
 * with htmx the preview follows typing through the fragment endpoint.
 */
export function registerConnectorMappingPages(ui: Hono<ConsoleEnv>, deps: ConsoleDeps, svc: ConnectorPageServices) {
  async function previewOf(c: Context<ConsoleEnv>, draft?: unknown, rowOfEntry: number[] = []) {
    const row = await svc.connectors.getRow(c.get('principal'), c.req.param('id')!);
    if (connectorDefinition(row.kind)?.inbound) return { preview: { note: INBOUND_NOTE } as Preview };
    try {
      return { preview: (await svc.connectors.preview(c.get('principal'), c.req.param('id')!, PREVIEW_RECORDS, draft)) as Preview };
    } catch (err) {
      const e = formErrors(err);
      const first = Object.values(e.fields)[0];
      return { preview: { error: `${e.message}${first ? `: ${first}` : ''}` }, errors: e, fields: errorsByRow(e.fields, rowOfEntry) };
    }
  }

  const page = async (
    c: Context<ConsoleEnv>,
    rows: MappingRow[] | undefined,
    preview: Preview,
    errors?: { message?: string; fields: FieldErrors },
    status: 200 | 404 | 409 | 422 = 200,
  ) => {
    const row = await svc.connectors.getRow(c.get('principal'), c.req.param('id')!);
    const base = `/ui/connectors/${row.id}`;
    return consolePage(
      c,
      `Field mapping: ${row.name}`,
      <>
        <p>
          <a href={base}>Back to the connector</a>
        </p>
        {canManageConnectors(c) ? (
          <form method="post" action={`${base}/mapping`} class="card">
            <CsrfField c={c} />
            <FormAlert message={errors?.message} />
            <p class="hint">
              {row.mapping ? 'Each field the destination receives.' : "No mapping of its own yet: the kind's default applies."} Blank rows
              are ignored.
            </p>
            <div
              hx-post={`${base}/mapping/preview`}
              hx-trigger="input changed delay:500ms"
              hx-target="#mapping-preview"
              hx-swap="outerHTML"
            >
              <MappingRows rows={rows ?? rowsOf(row.mapping)} errors={errors?.fields ?? {}} />
            </div>
            <button type="submit" name="do" value="preview" class="secondary">
              Preview
            </button>
            <button type="submit" name="do" value="save">
              Save mapping
            </button>
            {row.mapping ? (
              <button type="submit" name="do" value="default" class="secondary">
                Use the kind's default
              </button>
            ) : null}
          </form>
        ) : (
          <section>
            <h2>Mapping</h2>
            {row.mapping ? <pre>{JSON.stringify(row.mapping, null, 2)}</pre> : <p>The kind's default mapping applies.</p>}
          </section>
        )}
        <MappingPreview preview={preview} />
      </>,
      status,
    );
  };

  ui.get('/connectors/:id/mapping', async (c) => page(c, undefined, (await previewOf(c)).preview));

  ui.post('/connectors/:id/mapping', async (c) => {
    const form = await readForm(c);
    const { rows, mapping, rowOfEntry } = readMappingForm(form);
    const id = c.req.param('id');
    const action = formText(form, 'do');
    if (action === 'save' || action === 'default') {
      try {
        await svc.connectors.patch(c.get('principal'), id, connectorPatchSchema.parse({ mapping: action === 'default' ? null : mapping }));
        deps.cookies.flash(c, action === 'default' ? "The kind's default mapping applies again." : 'Mapping saved.');
        return c.redirect(`/ui/connectors/${id}/mapping`, 303);
      } catch (err) {
        const e = formErrors(err);
        const { preview } = await previewOf(c, mapping, rowOfEntry);
        return page(c, rows, preview, { message: e.message, fields: errorsByRow(e.fields, rowOfEntry) }, e.status === 403 ? 422 : e.status);
      }
    }
    const result = await previewOf(c, mapping, rowOfEntry);
    return page(
      c,
      rows,
      result.preview,
      result.errors ? { message: result.errors.message, fields: result.fields } : undefined,
      result.errors ? 422 : 200,
    );
  });

  // The htmx fragment: only the preview, always 200 so htmx swaps in a refusal too.
  ui.post('/connectors/:id/mapping/preview', async (c) => {
    await svc.connectors.getRow(c.get('principal'), c.req.param('id'));
    const { mapping, rowOfEntry } = readMappingForm(await readForm(c));
    const { preview } = await previewOf(c, mapping, rowOfEntry);
    return c.html(<MappingPreview preview={preview} />);
  });
}
