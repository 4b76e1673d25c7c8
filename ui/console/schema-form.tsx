import type { Child } from 'hono/jsx';
import type { FieldErrors } from './components/field.js';
import { fieldKind, fieldLabel, valueAt, type JsonSchema } from './json-schema.js';

/**
 * Form fields generated from a connector kind's JSON Schema (what GET /api/v1/connector-kinds
 * publishes), named by their dotted path (`settings.url`) so the API's validation messages land
 * next to them. Secrets are write-only: their inputs are always empty, a stored one says "set",
 * and readSchemaForm leaves a blank secret out so the stored value is kept. Patterns from the
 * schema are never copied into HTML: zod's regular expressions (its email one above all) are
 * not valid HTML patterns in every browser, and the server checks them anyway.
 */
export function SchemaFields(props: {
  schema: JsonSchema;
  prefix: string;
  values: unknown;
  errors: FieldErrors;
  /** Secrets: the names already stored (shown as "set"), or undefined for plain settings. */
  storedSecrets?: string[];
}) {
  const required = new Set(props.schema.required ?? []);
  return (
    <>
      {Object.entries(props.schema.properties ?? {}).map(([key, s]) => (
        <SchemaField
          name={`${props.prefix}.${key}`}
          label={fieldLabel(key, s)}
          schema={s}
          value={valueAt(props.values, key)}
          required={required.has(key)}
          errors={props.errors}
          secret={props.storedSecrets ? { set: props.storedSecrets.includes(key) } : undefined}
          storedSecrets={props.storedSecrets}
        />
      ))}
    </>
  );
}

const idOf = (name: string) => `f-${name.replace(/[^\w-]/g, '-')}`;

/** The message for this field, or for something inside it (`settings.headers.X-Key`). */
function errorFor(errors: FieldErrors, name: string): string | undefined {
  return errors[name] ?? Object.entries(errors).find(([path]) => path.startsWith(`${name}.`))?.[1];
}

function SchemaField(props: {
  name: string;
  label: string;
  schema: JsonSchema;
  value: unknown;
  required: boolean;
  errors: FieldErrors;
  secret?: { set: boolean };
  storedSecrets?: string[];
}) {
  const { name, schema: s, secret } = props;
  const kind = fieldKind(s, name.slice(name.lastIndexOf('.') + 1));
  if (kind.is === 'object') {
    return (
      <fieldset>
        <legend>{props.label}</legend>
        {s.description ? <p class="hint">{s.description}</p> : null}
        <SchemaFields
          schema={kind.schema}
          prefix={name}
          values={secret ? undefined : props.value}
          errors={props.errors}
          storedSecrets={secret ? [] : undefined}
        />
      </fieldset>
    );
  }
  const id = idOf(name);
  const error = errorFor(props.errors, name);
  // A secret's value never reaches the page: not the stored one, not even one just typed.
  const value = secret ? undefined : (props.value ?? s.default);
  const hints: Child[] = [];
  if (secret?.set) hints.push(<strong>set</strong>, ' — leave blank to keep it. ');
  if (s.description) hints.push(/[.!?]$/.test(s.description) ? s.description : `${s.description}.`);
  const more = { lines: 'One per line.', record: 'One "Name: value" per line.', json: 'As JSON.' } as Record<string, string>;
  if (more[kind.is]) hints.push(hints.length ? ' ' : '', more[kind.is]!);
  const hint = hints.length ? hints : null;
  const described = [hint ? `${id}-hint` : '', error ? `${id}-error` : ''].filter(Boolean).join(' ') || undefined;
  const invalid = error ? 'true' : undefined;
  const required = props.required && !secret?.set && s.default === undefined;

  let control: Child;
  if (kind.is === 'boolean') {
    control = (
      <label class="inline" for={id}>
        <input id={id} type="checkbox" name={name} value="true" checked={value === true} aria-describedby={described} />
        {props.label}
      </label>
    );
  } else if (kind.is === 'choices') {
    const chosen = Array.isArray(value) ? value : [];
    control = (
      <fieldset aria-describedby={described}>
        <legend>{props.label}</legend>
        {kind.options.map((o) => (
          <label class="inline">
            <input type="checkbox" name={name} value={o} checked={chosen.includes(o)} />
            {o}
          </label>
        ))}
      </fieldset>
    );
  } else if (kind.is === 'enum') {
    control = (
      <select id={id} name={name} aria-invalid={invalid} aria-describedby={described}>
        {required ? null : <option value="">—</option>}
        {kind.options.map((o) => (
          <option value={o} selected={o === value}>
            {o}
          </option>
        ))}
      </select>
    );
  } else if (kind.is === 'lines' || kind.is === 'record' || kind.is === 'json' || kind.is === 'multiline') {
    control = (
      <textarea id={id} name={name} required={required} aria-invalid={invalid} aria-describedby={described}>
        {textOf(kind.is, value)}
      </textarea>
    );
  } else {
    const numeric = kind.is === 'number';
    control = (
      <input
        id={id}
        name={name}
        type={secret ? 'password' : numeric ? 'number' : kind.inputType}
        value={value === undefined || value === null ? '' : String(value)}
        required={required}
        autocomplete={secret ? 'new-password' : 'off'}
        min={s.minimum ?? s.exclusiveMinimum}
        max={s.maximum ?? s.exclusiveMaximum}
        step={numeric ? (kind.integer ? '1' : 'any') : undefined}
        maxlength={s.maxLength}
        aria-invalid={invalid}
        aria-describedby={described}
      />
    );
  }
  const wrapped = kind.is === 'boolean' || kind.is === 'choices';
  return (
    <div>
      {wrapped ? null : (
        <label for={id}>
          {props.label}
          {required ? null : <span class="muted"> (optional)</span>}
        </label>
      )}
      {control}
      {hint ? (
        <p class="hint" id={`${id}-hint`}>
          {hint}
        </p>
      ) : null}
      {error ? (
        <p class="error" id={`${id}-error`}>
          {error}
        </p>
      ) : null}
    </div>
  );
}

function textOf(is: 'lines' | 'record' | 'json' | 'multiline', value: unknown): string {
  if (value === undefined || value === null) return '';
  if (typeof value === 'string') return value; // what was typed, shown again after a refusal
  if (is === 'lines' && Array.isArray(value)) return value.join('\n');
  if (is === 'record' && typeof value === 'object') {
    return Object.entries(value as Record<string, unknown>)
      .map(([k, v]) => `${k}: ${String(v)}`)
      .join('\n');
  }
  return JSON.stringify(value, null, 2);
}
