import type { Context, Hono } from 'hono';
import { exportQuerySchema } from '../../../hub/contracts/export-contract.js';
import { sendStream } from '../../../hub/http/send-stream.js';
import { createExportService } from '../../../hub/services/export-service.js';
import { RESOURCES, type Resource } from '../../../schema/record-queries.js';
import type { ConsoleDeps } from '../console-deps.js';
import type { ConsoleEnv } from '../console-env.js';
import { consolePage } from '../console-page.js';
import { formErrors } from '../form-errors.js';
import { Field, type FieldErrors } from '../components/field.js';
import { FormAlert } from '../components/form-alert.js';
import { SelectField } from '../components/select-field.js';
import { FieldChoices, defaultFieldNames, utcInstant } from './record-field-choices.js';
import { programChoices } from './program-choices.js';

interface ExportValues {
  resource: Resource;
  from: string;
  to: string;
  programId: string;
  fields: string[];
  delimiter: string;
}

const asResource = (value: string | undefined): Resource =>
  (RESOURCES as readonly string[]).includes(value ?? '') ? (value as Resource) : 'referrals';

/**
 * Exports: a record type, a time frame, fields and optionally a program, then a CSV download.
 * The download is a plain GET link (it works as a bookmark or a "Save link as") and streams from
 * the export service the API uses, limited to the user's programs.
 */
export function registerExportPages(ui: Hono<ConsoleEnv>, deps: ConsoleDeps) {
  const exports = createExportService(deps);

  async function exportPage(
    c: Context<ConsoleEnv>,
    v: ExportValues,
    problem?: { message: string; fields: FieldErrors; status: 403 | 404 | 409 | 422 },
  ) {
    const programs = await programChoices(deps.db, c.get('principal'));
    const errors = problem?.fields ?? {};
    const fieldsError = errors.fields ?? Object.entries(errors).find(([k]) => k.startsWith('fields.'))?.[1];
    return consolePage(
      c,
      'Exports',
      <>
        <form method="get" action="/ui/exports" class="filters">
          <SelectField name="resource" label="Record type" options={[...RESOURCES]} value={v.resource} />
          <div>
            <button type="submit" class="secondary">
              Show fields
            </button>
          </div>
        </form>
        <form method="get" action="/ui/exports/download" class="card">
          <FormAlert message={problem?.message} />
          <input type="hidden" name="resource" value={v.resource} />
          <p>
            <strong>Record type:</strong> {v.resource}
          </p>
          <Field
            name="from"
            label="From (UTC)"
            type="datetime-local"
            value={v.from}
            errors={errors}
            hint="Created at or after; empty: from the beginning."
          />
          <Field name="to" label="To (UTC)" type="datetime-local" value={v.to} errors={errors} hint="Created before; empty: until now." />
          <SelectField
            name="programId"
            label="Program"
            options={programs.map((p) => ({ value: p.id, label: p.name }))}
            value={v.programId}
            errors={errors}
            empty={c.get('principal').programIds.length ? 'All my programs' : 'All programs'}
          />
          <FieldChoices resource={v.resource} checked={v.fields} error={fieldsError} />
          <SelectField
            name="delimiter"
            label="Delimiter"
            options={[
              { value: ',', label: 'Comma (,)' },
              { value: ';', label: 'Semicolon (;)' },
              { value: '\t', label: 'Tab' },
              { value: '|', label: 'Pipe (|)' },
            ]}
            value={v.delimiter}
            errors={errors}
          />
          <div>
            <button type="submit">Download CSV</button>
          </div>
        </form>
      </>,
      problem?.status ?? 200,
    );
  }

  ui.get('/exports', (c) => {
    const resource = asResource(c.req.query('resource'));
    return exportPage(c, { resource, from: '', to: '', programId: '', fields: defaultFieldNames(resource), delimiter: ',' });
  });

  ui.get('/exports/download', async (c) => {
    const resource = asResource(c.req.query('resource'));
    const v: ExportValues = {
      resource,
      from: c.req.query('from') ?? '',
      to: c.req.query('to') ?? '',
      programId: c.req.query('programId') ?? '',
      fields: c.req.queries('fields') ?? [],
      delimiter: c.req.query('delimiter') || ',',
    };
    if (v.fields.length === 0)
      return exportPage(c, v, { message: 'Choose at least one field', fields: { fields: 'Choose at least one field' }, status: 422 });
    try {
      const query = exportQuerySchema(resource).parse({
        from: utcInstant(v.from),
        to: utcInstant(v.to),
        programId: v.programId || undefined,
        fields: v.fields.join(','),
        delimiter: v.delimiter,
      });
      return sendStream(c, await exports.open(c.get('principal'), resource, query), resource, deps);
    } catch (err) {
      return exportPage(c, v, formErrors(err));
    }
  });
}
