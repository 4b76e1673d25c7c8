import { fieldKind, type JsonSchema } from './json-schema.js';
import { formList, formText, type FormValues } from './read-form.js';

/**
 * The object a SchemaFields form stands for, read back by the same schema. A blank optional
 * field is left out (the kind's default applies); a blank secret is left out too, so on an edit
 * the stored secret is kept. Values that do not parse (a word in a number field, broken JSON)
 * are passed on as typed: the kind's own schema then refuses them with its message.
 */
export function readSchemaForm(
  schema: JsonSchema,
  form: FormValues,
  prefix: string,
  opts: { secret?: boolean } = {},
): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  const required = new Set(schema.required ?? []);
  for (const [key, s] of Object.entries(schema.properties ?? {})) {
    const name = `${prefix}.${key}`;
    const value = readOne(s, form, name, required.has(key), opts);
    if (value !== undefined) out[key] = value;
  }
  return out;
}

function readOne(s: JsonSchema, form: FormValues, name: string, required: boolean, opts: { secret?: boolean }): unknown {
  const kind = fieldKind(s, name.slice(name.lastIndexOf('.') + 1));
  if (kind.is === 'object') {
    const inner = readSchemaForm(kind.schema, form, name, opts);
    return Object.keys(inner).length > 0 || required ? inner : undefined;
  }
  if (kind.is === 'boolean') {
    const checked = formText(form, name) === 'true';
    // Unchecked means false where the kind expects a value; otherwise the kind's default applies.
    return checked ? true : required || s.default !== undefined ? false : undefined;
  }
  if (kind.is === 'choices') {
    const chosen = formList(form, name);
    return chosen.length > 0 || required ? chosen : undefined;
  }
  const text = formText(form, name);
  if (text.trim() === '') return undefined;
  switch (kind.is) {
    case 'number': {
      const n = Number(text.trim());
      return Number.isFinite(n) ? n : text;
    }
    case 'lines':
      return lines(text);
    case 'record':
      return readRecord(text);
    case 'json':
      try {
        return JSON.parse(text) as unknown;
      } catch {
        return text;
      }
    default:
      // Secrets are kept exactly as typed; other text loses stray spaces around it.
      return opts.secret ? text : text.trim();
  }
}

const lines = (text: string) =>
  text
    .split(/\r?\n/)
    .map((l) => l.trim())
    .filter(Boolean);

/** "Name: value" per line; a line without a colon is passed on as typed for the schema to refuse. */
function readRecord(text: string): Record<string, string> | string {
  const out: Record<string, string> = {};
  for (const line of lines(text)) {
    const at = line.indexOf(':');
    if (at <= 0) return text;
    out[line.slice(0, at).trim()] = line.slice(at + 1).trim();
  }
  return out;
}
