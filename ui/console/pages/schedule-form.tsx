import type { Context } from 'hono';
import { SCHEDULED_RESOURCES, type Resource } from '../../../schema/record-queries.js';
import type { scheduleJson } from '../../../hub/services/schedule-service.js';
import { CsrfField } from '../console-layout.js';
import type { ConsoleEnv } from '../console-env.js';
import { Field, type FieldErrors } from '../components/field.js';
import { FormAlert } from '../components/form-alert.js';
import { SelectField } from '../components/select-field.js';
import type { FormValues } from '../read-form.js';
import { formList, formText } from '../read-form.js';
import { FieldChoices, defaultFieldNames, fieldEntry, localInputValue, utcInstant } from './record-field-choices.js';
import { ProgramChoices, type ProgramChoice } from './program-choices.js';

export type ScheduledResource = (typeof SCHEDULED_RESOURCES)[number];

/** What the schedule form holds, as typed (so a refused form comes back as it was sent). */
export interface ScheduleFormValues {
  name: string;
  connectorId: string;
  resource: ScheduledResource;
  programIds: string[];
  repeat: 'every' | 'cron';
  every: string;
  cron: string;
  timezone: string;
  fileName: string;
  fields: string[];
  /** The field mapping as JSON, for mappings richer than a list of fields (formats, value maps). */
  mapping: string;
  delimiter: string;
  gzip: boolean;
  sendEmpty: boolean;
  startFrom: string;
  paused: boolean;
}

export const asScheduledResource = (value: string | undefined): ScheduledResource =>
  (SCHEDULED_RESOURCES as readonly string[]).includes(value ?? '') ? (value as ScheduledResource) : 'referrals';

export function emptyScheduleValues(resource: ScheduledResource): ScheduleFormValues {
  return {
    name: '',
    connectorId: '',
    resource,
    programIds: [],
    repeat: 'every',
    every: '24h',
    cron: '',
    timezone: 'UTC',
    fileName: '{program}-{date}-{runId}.csv',
    fields: defaultFieldNames(resource),
    mapping: '',
    delimiter: ',',
    gzip: false,
    sendEmpty: false,
    startFrom: '',
    paused: false,
  };
}

export function readScheduleForm(form: FormValues): ScheduleFormValues {
  return {
    name: formText(form, 'name').trim(),
    connectorId: formText(form, 'connectorId'),
    resource: asScheduledResource(formText(form, 'resource')),
    programIds: formList(form, 'programIds'),
    repeat: formText(form, 'repeat') === 'cron' ? 'cron' : 'every',
    every: formText(form, 'every').trim(),
    cron: formText(form, 'cron').trim(),
    timezone: formText(form, 'timezone').trim(),
    fileName: formText(form, 'fileName').trim(),
    fields: formList(form, 'fields'),
    mapping: formText(form, 'mapping').trim(),
    delimiter: formText(form, 'delimiter') || ',',
    gzip: formText(form, 'gzip') === 'on',
    sendEmpty: formText(form, 'sendEmpty') === 'on',
    startFrom: formText(form, 'startFrom'),
    paused: formText(form, 'paused') === 'on',
  };
}

/** A schedule's current settings as form values; a mapping that is more than field names shows as JSON. */
export function scheduleValues(s: ReturnType<typeof scheduleJson>): ScheduleFormValues {
  const resource = asScheduledResource(s.resource);
  const entries = s.fields as { target?: unknown; source?: unknown }[];
  const simple = entries.every((e) => {
    const keys = Object.keys(e);
    return keys.length === 2 && typeof e.target === 'string' && fieldEntry(resource, e.target).source === e.source;
  });
  return {
    name: s.name,
    connectorId: s.connectorId,
    resource,
    programIds: s.programIds,
    repeat: s.cron ? 'cron' : 'every',
    every: s.every ?? '',
    cron: s.cron ?? '',
    timezone: s.timezone ?? 'UTC',
    fileName: s.fileName,
    fields: simple ? entries.map((e) => e.target as string) : [],
    mapping: simple ? '' : JSON.stringify(s.fields, null, 2),
    delimiter: s.delimiter,
    gzip: s.gzip,
    sendEmpty: s.sendEmpty,
    startFrom: localInputValue(s.startFrom),
    paused: s.paused,
  };
}

/** The mapping the form asks for: the JSON when given (a syntax error is the field's), else the checked fields. */
export function scheduleFields(v: ScheduleFormValues): { fields?: unknown[]; error?: string } {
  if (!v.mapping) return { fields: v.fields.map((name) => fieldEntry(v.resource, name)) };
  try {
    const parsed: unknown = JSON.parse(v.mapping);
    return Array.isArray(parsed) ? { fields: parsed } : { error: 'The mapping must be a JSON array of {"target", "source"} entries' };
  } catch {
    return { error: 'The mapping is not valid JSON' };
  }
}

/** The interval or the cron expression (whichever is chosen) with its time zone, as the API takes them. */
export function scheduleTiming(v: ScheduleFormValues) {
  return v.repeat === 'cron'
    ? { cron: v.cron || undefined, timezone: v.timezone || undefined }
    : { every: v.every || undefined, timezone: v.timezone || undefined };
}

export const startFromInstant = (v: ScheduleFormValues) => utcInstant(v.startFrom);

/** The first error of a field or of anything inside it (`fields.0.source`). */
export const errorUnder = (errors: FieldErrors, name: string) =>
  errors[name] ?? Object.entries(errors).find(([path]) => path.startsWith(`${name}.`))?.[1];

export interface DestinationChoice {
  id: string;
  name: string;
  kind: string;
}

/** Create and edit share this form; the record type and destination are fixed once created. */
export function ScheduleForm(props: {
  c: Context<ConsoleEnv>;
  action: string;
  values: ScheduleFormValues;
  destinations: DestinationChoice[];
  programs: ProgramChoice[];
  errors?: FieldErrors;
  message?: string;
  editing?: boolean;
  submitLabel: string;
}) {
  const v = props.values;
  const errors = props.errors ?? {};
  const destination = props.destinations.find((d) => d.id === v.connectorId);
  return (
    <form method="post" action={props.action} class="card">
      <CsrfField c={props.c} />
      <FormAlert message={props.message} />
      <Field name="name" label="Name" value={v.name} errors={errors} required />
      <input type="hidden" name="resource" value={v.resource} />
      <p>
        <strong>Record type:</strong> {v.resource}
      </p>
      {props.editing ? (
        <p>
          <strong>Destination:</strong> {destination ? `${destination.name} (${destination.kind})` : v.connectorId}
        </p>
      ) : (
        <SelectField
          name="connectorId"
          label="Destination"
          options={props.destinations.map((d) => ({ value: d.id, label: `${d.name} (${d.kind})` }))}
          value={v.connectorId}
          errors={errors}
          empty="Choose a file connector"
          hint="An SFTP, FTPS or email connector (create one under Connectors)."
        />
      )}
      <ProgramChoices
        programs={props.programs}
        checked={v.programIds}
        error={errorUnder(errors, 'programIds')}
        hint="None checked: every program (only for users who see every program)."
      />
      <fieldset>
        <legend>When</legend>
        <label class="inline">
          <input type="radio" name="repeat" value="every" checked={v.repeat === 'every'} />
          Repeat at an interval
        </label>
        <label class="inline">
          <input type="radio" name="repeat" value="cron" checked={v.repeat === 'cron'} />
          On a cron schedule
        </label>
        <Field name="every" label="Interval" value={v.every} errors={errors} hint='For example "1h", "24h" or "7d".' />
        <Field name="cron" label="Cron expression" value={v.cron} errors={errors} hint='Five fields, e.g. "0 2 * * *" (02:00 every day).' />
        <Field name="timezone" label="Time zone" value={v.timezone} errors={errors} hint='For cron: an IANA name such as "Europe/Paris".' />
      </fieldset>
      <FieldChoices resource={v.resource as Resource} checked={v.fields} error={errorUnder(errors, 'fields')} />
      <div>
        <label for="f-mapping">Field mapping (JSON, optional)</label>
        <textarea id="f-mapping" name="mapping" aria-describedby="f-mapping-hint">
          {v.mapping}
        </textarea>
        <p class="hint" id="f-mapping-hint">
          Replaces the checked fields when filled: a list of {'{"target": "Email", "source": "referral.email"}'} entries with formats and
          value maps.
        </p>
      </div>
      <Field name="fileName" label="File name" value={v.fileName} errors={errors} hint="{date}, {runId} and {program} are filled in." />
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
      <label class="inline">
        <input type="checkbox" name="gzip" checked={v.gzip} />
        Compress (gzip)
      </label>
      <label class="inline">
        <input type="checkbox" name="sendEmpty" checked={v.sendEmpty} />
        Send a file when there are no new records
      </label>
      {props.editing ? null : (
        <>
          <Field
            name="startFrom"
            label="Start from (UTC, optional)"
            type="datetime-local"
            value={v.startFrom}
            errors={errors}
            hint="The first run sends records created from then on; empty sends everything."
          />
          <label class="inline">
            <input type="checkbox" name="paused" checked={v.paused} />
            Create it disabled
          </label>
        </>
      )}
      <div>
        <button type="submit">{props.submitLabel}</button>
      </div>
    </form>
  );
}
