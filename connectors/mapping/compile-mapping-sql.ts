import { csvCellContent } from '../csv/csv-writer.js';
import { formulaGuardSql } from '../csv/formula-guard-sql.js';
import { compileMapping } from './apply-mapping.js';
import { parseDatePattern } from './date-pattern.js';
import { toCharPattern } from './date-pattern-sql.js';
import type { MappingCondition, MappingEntry, MappingScalar } from './mapping-entry-schema.js';
import { parseSourcePath, parseTemplate } from './mapping-paths.js';
import {
  cellOfSql,
  containsSql,
  isEmptySql,
  looseEqualsSql,
  sqlLiteral,
  textOfSql,
  trimLowerSql,
  type SqlValue,
} from './mapping-sql-values.js';

/**
 * Where a record's fields are in SQL: `field` of the record under `head` (`referral`, `member`)
 * as a typed value, null when the JavaScript record has no such field (it reads as missing), or
 * undefined when it cannot be read in SQL (the mapping then stays on the JavaScript path).
 */
export type SqlFieldResolver = (head: string, field: string) => SqlValue | null | undefined;

/** Each entry's CSV cell as a SQL expression, or why the mapping must run in JavaScript. */
export type SqlMapping = { cells: string[] } | { fallback: string };

class NotCompilable extends Error {}

const MISSING: SqlValue = { type: 'text', sql: 'null::text' };
// Array indexes as resolvePath reads them (own keys "0", "1", …); "-1" or "01" would mean
// something else to jsonb's #> (the last item, item 1).
const ODD_INDEX = /^-?\d+$/;
const INDEX = /^(0|[1-9]\d*)$/;

/** A value the mapping fixes (constant, valueMap replacement, fallback) as its final cell text. */
function cellLiteral(value: unknown): string {
  const text = csvCellContent(value);
  // PostgreSQL's CSV writes '' as "" and only NULL as nothing; the JS writer writes both as nothing.
  return text === '' ? 'null::text' : sqlLiteral(text);
}

function compileEntry(entry: MappingEntry, resolve: SqlFieldResolver): string {
  const readPath = (path: string): SqlValue => {
    const parsed = parseSourcePath(path);
    if ('error' in parsed) throw new NotCompilable(parsed.error);
    const [head, field, ...rest] = parsed.segments;
    if (field === undefined) throw new NotCompilable(`"${path}" reads a whole record`);
    const value = resolve(head!, field);
    if (value === undefined) throw new NotCompilable(`"${path}" has no SQL column`);
    if (value === null) return MISSING;
    if (rest.length === 0) return value;
    // Below a string, number or timestamp nothing is an own key: missing, as resolvePath says.
    if (value.type !== 'json') return MISSING;
    if (rest.some((s) => ODD_INDEX.test(s) && !INDEX.test(s))) throw new NotCompilable(`"${path}" has a negative or zero-padded index`);
    return { type: 'json', sql: `(${value.sql} #> array[${rest.map(sqlLiteral).join(', ')}]::text[])` };
  };
  // The mapping's own code decides what a fixed value becomes after format and case.
  const finish = (value: MappingScalar): string =>
    cellLiteral(compileMapping([{ target: 'v', constant: value, format: entry.format, case: entry.case }])({}).v);
  const fallback = cellLiteral(entry.empty ?? null);
  const condition = entry.when === undefined ? undefined : compileCondition(entry.when, readPath);

  if (entry.constant !== undefined) {
    const out = cellLiteral(compileMapping([{ ...entry, when: undefined }])({})[entry.target]);
    return condition === undefined ? out : `(case when ${condition} then ${out} else ${fallback} end)`;
  }
  let value: SqlValue;
  if (entry.source !== undefined) value = readPath(entry.source);
  else {
    const parsed = parseTemplate(entry.template ?? '');
    if ('error' in parsed) throw new NotCompilable(parsed.error);
    const pieces = parsed.parts.map((part) => ('text' in part ? sqlLiteral(part.text) : `coalesce(${textOfSql(readPath(part.path))}, '')`));
    value = { type: 'text', sql: `(${pieces.join(' || ') || "''"})` };
  }
  const dynamic = finishValue(entry, value, finish);
  let mapped = dynamic;
  if (entry.valueMap !== undefined) {
    const whens = Object.entries(entry.valueMap).map(([key, to]) => `when ${sqlLiteral(key)} then ${finish(to)}`);
    const otherwise = entry.noMatch !== undefined ? finish(entry.noMatch) : dynamic;
    // Objects and arrays have no key text: they never match (textOf gives NULL for them here).
    if (whens.length > 0) mapped = `(case ${textOfSql(value, 'none')} ${whens.join(' ')} else ${otherwise} end)`;
    else mapped = otherwise;
  }
  // Without a valueMap or `empty`, an empty value already gives an empty cell (NULL or '',
  // which the COPY query writes as nothing): the test would only cost time on every row.
  const body =
    entry.valueMap === undefined && entry.empty === undefined
      ? mapped
      : `(case when ${isEmptySql(value)} then ${fallback} else ${mapped} end)`;
  return condition === undefined ? body : `(case when ${condition} then ${body} else ${fallback} end)`;
}

/** format, then case, of a value read from the record; throws where SQL would not match JavaScript. */
function finishValue(entry: MappingEntry, value: SqlValue, finish: (v: MappingScalar) => string): string {
  // Upper/lower/title case follow the database's collation in SQL and Unicode in JavaScript ('ß', 'İ').
  const noCase = () => {
    if (entry.case !== undefined && value.type !== 'number') throw new NotCompilable(`case "${entry.case}" on text`);
  };
  if (entry.format === undefined) {
    noCase();
    return cellOfSql(value);
  }
  const colon = entry.format.indexOf(':');
  const kind = entry.format.slice(0, colon);
  const arg = entry.format.slice(colon + 1);
  if (kind === 'date') {
    // ISO text from custom fields is parsed (and checked) in JavaScript; only record timestamps are compiled.
    if (value.type !== 'timestamp') throw new NotCompilable('date format on a value that is not a record timestamp');
    noCase();
    const parsed = parseDatePattern(arg);
    if ('error' in parsed) throw new NotCompilable(parsed.error);
    const text = `to_char(${value.sql} at time zone 'UTC', ${sqlLiteral(toCharPattern(parsed.parts))})`;
    // A pattern starting with a field starts with a digit: no formula guard needed.
    return 'token' in parsed.parts[0]! ? text : formulaGuardSql(text);
  }
  if (kind === 'boolean') {
    noCase();
    const [yes, no] = [finish(true), finish(false)];
    if (value.type === 'text') {
      return `(case ${trimLowerSql(value.sql)} when 'true' then ${yes} when 'false' then ${no} else ${cellOfSql(value)} end)`;
    }
    if (value.type === 'json') {
      const text = `(${value.sql} #>> '{}')`;
      return `(case jsonb_typeof(${value.sql}) when 'boolean' then (case when ${value.sql} = 'true'::jsonb then ${yes} else ${no} end)
        when 'string' then (case ${trimLowerSql(text)} when 'true' then ${yes} when 'false' then ${no} else ${formulaGuardSql(text)} end)
        else ${cellOfSql(value)} end)`;
    }
    return cellOfSql(value);
  }
  // toFixed() prints a double's exact binary digits, decimal rounding in SQL does not: they part past 15 digits.
  throw new NotCompilable(`format "${entry.format}"`);
}

function compileCondition(when: MappingCondition, readPath: (path: string) => SqlValue): string {
  const value = readPath(when.source);
  if (when.exists !== undefined) return `${when.exists ? 'not ' : ''}${isEmptySql(value)}`;
  if (when.contains !== undefined) return `coalesce(${containsSql(value, when.contains)}, false)`;
  if (when.equals !== undefined) return `coalesce(${looseEqualsSql(value, when.equals)}, false)`;
  throw new NotCompilable('when without a test');
}

/**
 * Compiles a mapping to one SQL expression per entry giving that entry's CSV cell exactly as
 * createRecordCsv writes it (formula guard included; NULL or '' for an empty cell), so that
 * PostgreSQL can write the file with COPY. Entries SQL cannot reproduce byte for byte (number
 * formats, case changes of text, date formats of anything but a record timestamp, whole
 * records) make the whole mapping fall back, with the reason.
 */
export function compileMappingSql(entries: readonly MappingEntry[], resolve: SqlFieldResolver): SqlMapping {
  // A lone empty field is a blank line to PostgreSQL's CSV writer and `""` to ours.
  if (entries.length === 1) return { fallback: 'a single column' };
  const cells: string[] = [];
  for (const [index, entry] of entries.entries()) {
    try {
      cells.push(compileEntry(entry, resolve));
    } catch (err) {
      if (!(err instanceof NotCompilable || err instanceof RangeError)) throw err;
      return { fallback: `entry ${index} ("${entry.target}"): ${err.message}` };
    }
  }
  return { cells };
}
