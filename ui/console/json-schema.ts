/** The part of JSON Schema (draft 2020-12, as zod emits it) that connector forms are built from. */
export interface JsonSchema {
  type?: string | string[];
  title?: string;
  description?: string;
  properties?: Record<string, JsonSchema>;
  required?: string[];
  additionalProperties?: JsonSchema | boolean;
  items?: JsonSchema;
  enum?: unknown[];
  const?: unknown;
  format?: string;
  default?: unknown;
  minimum?: number;
  maximum?: number;
  exclusiveMinimum?: number;
  exclusiveMaximum?: number;
  minLength?: number;
  maxLength?: number;
  minItems?: number;
  anyOf?: JsonSchema[];
  oneOf?: JsonSchema[];
  $ref?: string;
  $defs?: Record<string, JsonSchema>;
}

/**
 * The schema with its `$ref`s to `#/$defs/…` replaced by what they name (zod writes a schema
 * that has an id, as `.meta({ id })` gives, as a reference), so the form sees plain properties.
 */
export function inlineRefs(root: JsonSchema): JsonSchema {
  const defs = root.$defs ?? {};
  const inline = (s: JsonSchema, depth: number): JsonSchema => {
    if (depth > 10) return {};
    const target = s.$ref?.startsWith('#/$defs/') ? defs[s.$ref.slice('#/$defs/'.length)] : undefined;
    const base = target ? { ...target, ...s, $ref: undefined } : s;
    return {
      ...base,
      ...(base.properties
        ? { properties: Object.fromEntries(Object.entries(base.properties).map(([k, v]) => [k, inline(v, depth + 1)])) }
        : {}),
      ...(base.items ? { items: inline(base.items, depth + 1) } : {}),
    };
  };
  return inline(root, 0);
}

/**
 * How one property is edited in a form. Anything the form cannot edit field by field (unions,
 * arrays of objects) is edited as JSON, so every kind stays configurable from the console.
 */
export type FieldKind =
  | { is: 'object'; schema: JsonSchema }
  | { is: 'record' }
  | { is: 'enum'; options: string[] }
  | { is: 'boolean' }
  | { is: 'number'; integer: boolean }
  | { is: 'string'; inputType: 'text' | 'email' | 'url' }
  | { is: 'multiline' }
  | { is: 'choices'; options: string[] }
  | { is: 'lines' }
  | { is: 'json' };

const typeOf = (s: JsonSchema) => (Array.isArray(s.type) ? s.type.find((t) => t !== 'null') : s.type);

/** The enum values of a schema written as `enum` or as `anyOf` of constants. */
function enumValues(s: JsonSchema): string[] | undefined {
  if (s.enum && s.enum.every((v) => typeof v === 'string')) return s.enum as string[];
  const union = s.anyOf ?? s.oneOf;
  if (union && union.every((u) => typeof u.const === 'string')) return union.map((u) => u.const as string);
  return undefined;
}

// Keys and certificates are PEM text: an <input> would drop their line breaks.
const MULTILINE = /privateKey|certificate|pem$/i;

export function fieldKind(s: JsonSchema, name = ''): FieldKind {
  const options = enumValues(s);
  if (options) return { is: 'enum', options };
  const type = typeOf(s);
  if (type === 'object') {
    if (s.properties) return { is: 'object', schema: s };
    const values = typeof s.additionalProperties === 'object' ? s.additionalProperties : undefined;
    return values && typeOf(values) === 'string' ? { is: 'record' } : { is: 'json' };
  }
  if (type === 'boolean') return { is: 'boolean' };
  if (type === 'number' || type === 'integer') return { is: 'number', integer: type === 'integer' };
  if (type === 'string') {
    if (MULTILINE.test(name)) return { is: 'multiline' };
    return { is: 'string', inputType: s.format === 'email' ? 'email' : s.format === 'uri' || s.format === 'url' ? 'url' : 'text' };
  }
  if (type === 'array' && s.items) {
    const itemOptions = enumValues(s.items);
    if (itemOptions) return { is: 'choices', options: itemOptions };
    if (typeOf(s.items) === 'string') return { is: 'lines' };
  }
  return { is: 'json' };
}

const WORDS: Record<string, string> = {
  url: 'URL',
  urls: 'URLs',
  api: 'API',
  id: 'ID',
  ids: 'IDs',
  smtp: 'SMTP',
  ms: '(ms)',
  sftp: 'SFTP',
};

/** `timeoutMs` → "Timeout (ms)", `baseUrl` → "Base URL": the schema's title wins when it has one. */
export function fieldLabel(name: string, s: JsonSchema): string {
  if (s.title) return s.title;
  const words = name
    .replace(/([a-z0-9])([A-Z])/g, '$1 $2')
    .replace(/[_-]+/g, ' ')
    .toLowerCase()
    .split(' ')
    .filter(Boolean)
    .map((w) => WORDS[w] ?? w);
  const text = words.join(' ');
  return text.charAt(0).toUpperCase() + text.slice(1);
}

/** The value at a dotted path of nested objects. */
export function valueAt(values: unknown, key: string): unknown {
  return values && typeof values === 'object' ? (values as Record<string, unknown>)[key] : undefined;
}
