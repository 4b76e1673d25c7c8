import type { Context } from 'hono';
import { EVENT_TYPES } from '../../../schema/append-event.js';
import { Field, type FieldErrors } from '../components/field.js';
import { FormAlert } from '../components/form-alert.js';
import { CsrfField } from '../console-layout.js';
import type { ConsoleEnv } from '../console-env.js';
import type { JsonSchema } from '../json-schema.js';
import { formList, formText, type FormValues } from '../read-form.js';
import { readSchemaForm } from '../read-schema-form.js';
import { SchemaFields } from '../schema-form.js';
import { errorsByRow, MappingRows, readMappingForm, type MappingRow } from './mapping-form.js';

/** What the connector form edits (secrets only as typed: never the stored ones). */
export interface ConnectorDraft {
  name: string;
  settings: Record<string, unknown>;
  secrets: Record<string, unknown>;
  events: string[];
  programIds: string[];
  /** Inbound kinds only: their mapping from the posted body is part of creating them. */
  mapping?: { rows: MappingRow[]; entries: unknown[] | null; rowOfEntry: number[] };
}

export interface KindSchemas {
  kind: string;
  displayName: string;
  settings: JsonSchema;
  secrets: JsonSchema;
  inbound: boolean;
}

/** The form as posted, read by the kind's schemas; blank secrets are left out (kept on an edit). */
export function readConnectorForm(kind: KindSchemas, form: FormValues): ConnectorDraft {
  return {
    name: formText(form, 'name').trim(),
    settings: readSchemaForm(kind.settings, form, 'settings'),
    secrets: readSchemaForm(kind.secrets, form, 'secrets', { secret: true }),
    events: formList(form, 'events'),
    programIds: formList(form, 'programIds'),
    ...(kind.inbound ? { mapping: toDraftMapping(readMappingForm(form)) } : {}),
  };
}

const toDraftMapping = (m: ReturnType<typeof readMappingForm>) => ({ rows: m.rows, entries: m.mapping, rowOfEntry: m.rowOfEntry });

/**
 * Create and edit share this form: the kind's settings and secrets as generated fields, the
 * events it sends and the programs it serves. Only a user with every program may leave the
 * programs empty (meaning all of them, present and future).
 */
export function ConnectorForm(props: {
  c: Context<ConsoleEnv>;
  action: string;
  kind: KindSchemas;
  draft: ConnectorDraft;
  storedSecrets: string[];
  programs: { id: string; name: string }[];
  errors?: FieldErrors;
  message?: string;
  submit: string;
}) {
  const { draft } = props;
  const errors = props.errors ?? {};
  const unlimited = props.c.get('principal').programIds.length === 0;
  const hasSettings = Object.keys(props.kind.settings.properties ?? {}).length > 0;
  const hasSecrets = Object.keys(props.kind.secrets.properties ?? {}).length > 0;
  return (
    <form method="post" action={props.action} class="card">
      <CsrfField c={props.c} />
      <FormAlert message={props.message} />
      <Field name="name" label="Name" value={draft.name} errors={errors} required />
      {hasSettings ? (
        <fieldset>
          <legend>Settings</legend>
          <SchemaFields schema={props.kind.settings} prefix="settings" values={draft.settings} errors={errors} />
        </fieldset>
      ) : null}
      {hasSecrets ? (
        <fieldset>
          <legend>Secrets</legend>
          <p class="hint">Stored encrypted and never shown again.</p>
          <SchemaFields
            schema={props.kind.secrets}
            prefix="secrets"
            values={undefined}
            errors={errors}
            storedSecrets={props.storedSecrets}
          />
        </fieldset>
      ) : null}
      {props.kind.inbound && props.draft.mapping ? (
        <fieldset>
          <legend>Field mapping</legend>
          <p class="hint">Paths start with body., such as body.email: each field of the posted JSON the hub reads.</p>
          <MappingRows rows={props.draft.mapping.rows} errors={errorsByRow(errors, props.draft.mapping.rowOfEntry)} />
        </fieldset>
      ) : null}
      <fieldset aria-describedby="f-events-hint">
        <legend>Events to send</legend>
        <p class="hint" id="f-events-hint">
          None ticked: every event.
        </p>
        {EVENT_TYPES.map((t) => (
          <label class="inline">
            <input type="checkbox" name="events" value={t} checked={draft.events.includes(t)} />
            {t}
          </label>
        ))}
        {errors.events ? <p class="error">{errors.events}</p> : null}
      </fieldset>
      <fieldset aria-describedby="f-programIds-hint">
        <legend>Programs</legend>
        <p class="hint" id="f-programIds-hint">
          {unlimited ? 'None ticked: every program, including ones created later.' : 'Tick at least one of your programs.'}
        </p>
        {props.programs.map((p) => (
          <label class="inline">
            <input type="checkbox" name="programIds" value={p.id} checked={draft.programIds.includes(p.id)} />
            {p.name}
          </label>
        ))}
        {errors.programIds ? (
          <p class="error" id="f-programIds-error">
            {errors.programIds}
          </p>
        ) : null}
      </fieldset>
      <button type="submit">{props.submit}</button>
    </form>
  );
}
