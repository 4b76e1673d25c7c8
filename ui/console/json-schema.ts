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

export function fieldKind(s: JsonSchema): FieldKind {
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
