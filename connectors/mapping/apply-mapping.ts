import { compileFormat, type ValueFormatter } from './compile-format.js';
import type { MappingCondition, MappingEntry, MappingScalar } from './mapping-entry-schema.js';
import { parseSourcePath, parseTemplate } from './mapping-paths.js';
import { resolvePath } from './resolve-path.js';

/**
 * What a mapping reads from: `{ referral, member, reward, program, event: { id, type, timestamp } }`
 * for outbound data, `{ body }` for inbound webhooks. Typed as `object` so callers can pass their
 * own interfaces without an index signature.
 */
export type MappingContext = object;

/** A mapping turned into a function once, for callers that map many records (exports, syncs). */
export type CompiledMapping = (context: MappingContext) => Record<string, unknown>;

type Reader = (context: MappingContext) => unknown;

const isEmpty = (value: unknown): boolean => value === undefined || value === null || value === '';

/** How a value reads inside a template or against a valueMap key. */
function toText(value: unknown): string {
  if (value === undefined || value === null) return '';
  if (typeof value === 'string') return value;
  if (value instanceof Date) return Number.isNaN(value.getTime()) ? '' : value.toISOString();
  if (typeof value === 'object') return JSON.stringify(value);
  return String(value);
}

/**
 * Equality between a record value and a condition/valueMap literal. Form posts and CSV imports
 * store numbers and booleans as text, so `"1"` equals `1` and `"true"` equals `true`; beyond that
 * it is strict. Dates compare by their ISO text. `null` matches a missing value.
 */
function looseEquals(value: unknown, literal: MappingScalar): boolean {
  const v = value instanceof Date ? toText(value) : value;
  if (literal === null) return v === null || v === undefined;
  if (v === literal) return true;
  const scalarLike = (x: unknown): boolean => typeof x === 'number' || typeof x === 'boolean' || typeof x === 'bigint';
  if (typeof v === 'string' && scalarLike(literal)) return v === String(literal);
  if (typeof literal === 'string' && scalarLike(v)) return String(v) === literal;
  return false;
}

function compilePath(path: string, where: string): Reader {
  const parsed = parseSourcePath(path);
  if ('error' in parsed) throw new TypeError(`${where}: ${parsed.error}`);
  const { segments } = parsed;
  return (context) => resolvePath(context, segments);
}

function compileTemplate(template: string, where: string): Reader {
  const parsed = parseTemplate(template);
  if ('error' in parsed) throw new TypeError(`${where}: ${parsed.error}`);
  const pieces = parsed.parts.map((part) => ('text' in part ? part.text : compilePath(part.path, where)));
  return (context) => {
    let out = '';
    for (const piece of pieces) out += typeof piece === 'string' ? piece : toText(piece(context));
    return out;
  };
}

function compileCondition(when: MappingCondition, where: string): (context: MappingContext) => boolean {
  const read = compilePath(when.source, where);
  if (when.exists !== undefined) {
    const exists = when.exists;
    return (context) => isEmpty(read(context)) !== exists;
  }
  if (when.contains !== undefined) {
    const needle = when.contains;
    return (context) => {
      const value = read(context);
      if (typeof value === 'string') return value.includes(String(needle));
      if (Array.isArray(value)) return value.some((item) => looseEquals(item, needle));
      return false;
    };
  }
  if (when.equals !== undefined) {
    const expected = when.equals;
    return (context) => looseEquals(read(context), expected);
  }
  throw new TypeError(`${where}: when needs one test: "equals", "contains" or "exists"`);
}

function titleCase(text: string): string {
  return text.toLowerCase().replace(/(^|[\s-])(\p{L})/gu, (_, before: string, letter: string) => before + letter.toUpperCase());
}

const CASES: Record<NonNullable<MappingEntry['case']>, (text: string) => string> = {
  upper: (text) => text.toUpperCase(),
  lower: (text) => text.toLowerCase(),
  title: titleCase,
};

function compileEntry(entry: MappingEntry, index: number): Reader {
  const where = `mapping entry ${index} ("${entry.target}")`;
  let read: Reader;
  if (entry.source !== undefined) read = compilePath(entry.source, where);
  else if (entry.template !== undefined) read = compileTemplate(entry.template, where);
  else if (entry.constant !== undefined) {
    const constant = entry.constant;
    read = () => constant;
  } else throw new TypeError(`${where}: needs exactly one of "source", "constant" or "template"`);

  const condition = entry.when === undefined ? undefined : compileCondition(entry.when, where);
  let format: ValueFormatter | undefined;
  if (entry.format !== undefined) {
    const compiled = compileFormat(entry.format);
    if ('error' in compiled) throw new TypeError(`${where}: ${compiled.error}`);
    format = compiled.format;
  }
  const { valueMap, noMatch, empty } = entry;
  const changeCase = entry.case === undefined ? undefined : CASES[entry.case];
  const fallback = empty === undefined ? null : empty;

  return (context) => {
    // `empty` and a failed condition give the user's literal fallback, untouched by format/case.
    if (condition !== undefined && !condition(context)) return fallback;
    let value = read(context);
    if (isEmpty(value)) return empty !== undefined ? empty : (value ?? null);
    if (valueMap !== undefined) {
      const key = value !== null && typeof value === 'object' && !(value instanceof Date) ? undefined : toText(value);
      // Own keys only: a value such as "toString" must not find Object.prototype.toString.
      if (key !== undefined && Object.prototype.hasOwnProperty.call(valueMap, key)) value = valueMap[key];
      else if (noMatch !== undefined) value = noMatch;
    }
    if (format !== undefined) value = format(value);
    if (changeCase !== undefined && typeof value === 'string') value = changeCase(value);
    return value;
  };
}

/**
 * Compiles entries (already validated by mappingSchema) once; throws TypeError naming the entry
 * if one is not valid after all, e.g. a stored mapping that skipped validation.
 */
export function compileMapping(entries: readonly MappingEntry[]): CompiledMapping {
  const compiled = entries.map((entry, index) => ({ target: entry.target, read: compileEntry(entry, index) }));
  return (context) => {
    const out: Record<string, unknown> = {};
    for (const { target, read } of compiled) {
      // defineProperty, not assignment: no target name can trigger a setter on the result.
      Object.defineProperty(out, target, { value: read(context), enumerable: true, writable: true, configurable: true });
    }
    return out;
  };
}

/** Maps one record: one output field per entry, in entry order. */
export function applyMapping(entries: readonly MappingEntry[], context: MappingContext): Record<string, unknown> {
  return compileMapping(entries)(context);
}
