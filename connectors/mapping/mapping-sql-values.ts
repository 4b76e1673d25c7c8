import { formulaGuardSql } from '../csv/formula-guard-sql.js';
import type { MappingScalar } from './mapping-entry-schema.js';

/**
 * A record value as SQL, typed as the JavaScript mapping path would hold it once the driver has
 * parsed the row: `text` a string, `number` a float8 (a JS number), `json` a jsonb (whatever
 * JSON.parse gives; SQL NULL and JSON null both read as missing), `timestamp` a timestamptz the
 * record carries as its ISO text (`iso`). Every helper here reproduces one rule of
 * apply-mapping.ts / csv-writer.ts in SQL, for the exports PostgreSQL writes itself.
 */
export type SqlValue =
  /** `safe`: generated text (ids, enums) that never starts like a formula, so needs no guard. */
  | { type: 'text'; sql: string; safe?: boolean }
  | { type: 'number'; sql: string }
  | { type: 'json'; sql: string }
  | { type: 'timestamp'; sql: string; iso: string };

/** A SQL string literal (COPY takes no parameters). NUL cannot be in PostgreSQL text at all. */
export function sqlLiteral(text: string): string {
  if (text.includes('\0')) throw new RangeError('text with NUL cannot be a PostgreSQL literal');
  return `'${text.replaceAll("'", "''")}'`;
}

/**
 * JavaScript's String(number) of a float8. Both print the shortest digits that read back as the
 * same double; they differ only in layout: PostgreSQL switches to exponent notation below 1e-4
 * and from 1e15 (with two exponent digits), JavaScript below 1e-6 and from 1e21.
 */
export function jsNumberSql(f8: string): string {
  const t = `(${f8})::text`;
  const m = `split_part(${t}, 'e', 1)`;
  const e = `split_part(${t}, 'e', 2)::int`;
  const digits = `translate(${m}, '-.', '')`;
  const sign = `(case when left(${t}, 1) = '-' then '-' else '' end)`;
  return `(case when strpos(${t}, 'e') = 0 then ${t}
    when ${e} >= 21 or ${e} <= -7 then ${m} || 'e' || (case when ${e} < 0 then '-' else '+' end) || abs(${e})::text
    when ${e} >= 0 then ${sign} || (case when length(${digits}) <= ${e} + 1 then ${digits} || repeat('0', ${e} + 1 - length(${digits}))
      else left(${digits}, ${e} + 1) || '.' || substr(${digits}, ${e} + 2) end)
    else ${sign} || '0.' || repeat('0', -${e} - 1) || ${digits} end)`;
}

/**
 * A jsonb number as the double JSON.parse makes of it: past the double range it is ±Infinity
 * (the cast would raise instead), below the smallest subnormal 0.
 */
function jsonFloatSql(j: string): string {
  const n = `(${j})::numeric`;
  return `(case when ${n} > 1.7976931348623158e308 then 'Infinity'::float8 when ${n} < -1.7976931348623158e308 then '-Infinity'::float8
    when abs(${n}) < 2.4703282292062328e-324 then 0::float8 else (${j})::float8 end)`;
}

/**
 * JSON.stringify of what JSON.parse made of a jsonb object or array. Key order and string
 * escapes are already the same; jsonb puts `, ` and `: ` between items where JSON.stringify
 * puts nothing, and prints numbers as its numeric keeps them (1.50, 0.0000001, 1000…0) where
 * JavaScript prints the double (1.5, 1e-7, 1e+300; past the double range null). So the text is split into strings (left
 * whole), numbers (reprinted as JavaScript would) and the rest (spaces dropped after , and :).
 * Only objects and arrays take this path: the subquery runs for them alone.
 */
function stringifyJsonSql(j: string): string {
  return `(select string_agg(case when t.m[1] is not null then t.m[1] when t.m[2] is not null then
      (case when abs(t.m[2]::numeric) > 1.7976931348623158e308 then 'null' else ${jsNumberSql(jsonFloatSql('t.m[2]'))} end)
      else replace(replace(t.m[3], ', ', ','), ': ', ':') end, '' order by t.n)
    from regexp_matches((${j})::text, '("(?:[^"\\\\]|\\\\.)*")|(-?[0-9]+(?:\\.[0-9]+)?(?:[eE][+-]?[0-9]+)?)|([^"0-9-]+)', 'g') with ordinality as t(m, n))`;
}

/** toText() of apply-mapping: how a value reads in a template or as a valueMap key; NULL for missing. */
export function textOfSql(v: SqlValue, objects: 'json' | 'none' = 'json'): string {
  switch (v.type) {
    case 'text':
      return v.sql;
    case 'number':
      return jsNumberSql(v.sql);
    case 'timestamp':
      return v.iso;
    case 'json':
      return `(case jsonb_typeof(${v.sql}) when 'string' then ${v.sql} #>> '{}' when 'number' then ${jsNumberSql(jsonFloatSql(v.sql))}
        when 'boolean' then (${v.sql})::text when 'null' then null::text else ${objects === 'json' ? stringifyJsonSql(v.sql) : 'null::text'} end)`;
  }
}

/** The cell text the CSV writer makes of a value (formula guard on strings only), before quoting. */
export function cellOfSql(v: SqlValue): string {
  switch (v.type) {
    case 'text':
      return v.safe ? v.sql : formulaGuardSql(v.sql);
    case 'json':
      return `(case jsonb_typeof(${v.sql}) when 'string' then ${formulaGuardSql(`(${v.sql} #>> '{}')`)} when 'number' then ${jsNumberSql(jsonFloatSql(v.sql))}
        when 'boolean' then (${v.sql})::text when 'null' then null::text else ${stringifyJsonSql(v.sql)} end)`;
    default:
      return textOfSql(v);
  }
}

/** isEmpty(): missing, null or ''. Never NULL itself. */
export function isEmptySql(v: SqlValue): string {
  switch (v.type) {
    case 'text':
      return `coalesce(${v.sql}, '') = ''`;
    case 'json':
      return `coalesce(${v.sql} in ('null'::jsonb, '""'::jsonb), true)`;
    default:
      return `${v.sql} is null`;
  }
}

/** looseEquals(): "1" equals 1 and "true" equals true; null matches missing; else strict. May be NULL (read as false). */
export function looseEqualsSql(v: SqlValue, literal: MappingScalar): string {
  if (literal === null)
    return v.type === 'json' ? `coalesce(${v.sql} = 'null'::jsonb, true)` : `${v.type === 'timestamp' ? v.sql : v.sql} is null`;
  const asText = sqlLiteral(String(literal));
  switch (v.type) {
    case 'text':
    case 'timestamp':
      return `${textOfSql(v)} = ${asText}`;
    case 'number':
      if (typeof literal === 'boolean') return 'false';
      return typeof literal === 'string' ? `${jsNumberSql(v.sql)} = ${asText}` : `${v.sql} = ${asText}::float8`;
    case 'json': {
      const number =
        typeof literal === 'boolean'
          ? 'false'
          : typeof literal === 'string'
            ? `${jsNumberSql(jsonFloatSql(v.sql))} = ${asText}`
            : `${jsonFloatSql(v.sql)} = ${asText}::float8`;
      const boolean = typeof literal === 'number' ? 'false' : `(${v.sql})::text = ${asText}`;
      return `(case jsonb_typeof(${v.sql}) when 'string' then (${v.sql} #>> '{}') = ${asText} when 'number' then ${number}
        when 'boolean' then ${boolean} else false end)`;
    }
  }
}

/** `when.contains`: substring of a string, or an array item loosely equal to it. May be NULL. */
export function containsSql(v: SqlValue, needle: string | number | boolean): string {
  const text = sqlLiteral(String(needle));
  switch (v.type) {
    case 'text':
    case 'timestamp':
      return `strpos(${textOfSql(v)}, ${text}) > 0`;
    case 'number':
      return 'false';
    case 'json':
      return `(case jsonb_typeof(${v.sql}) when 'string' then strpos(${v.sql} #>> '{}', ${text}) > 0
        when 'array' then exists (select 1 from jsonb_array_elements(${v.sql}) item(v) where ${looseEqualsSql({ type: 'json', sql: 'item.v' }, needle)})
        else false end)`;
  }
}

// String.prototype.trim's whitespace and line terminators, for toBoolean() of the boolean format.
const JS_SPACE = '[\\t\\n\\v\\f\\r \\u00a0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000\\ufeff]';

/** lower(trim(text)) as toBoolean() reads a string. */
export function trimLowerSql(text: string): string {
  return `lower(regexp_replace(${text}, '^${JS_SPACE}+|${JS_SPACE}+$', '', 'g'))`;
}
