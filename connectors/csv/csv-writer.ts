import { Transform } from 'node:stream';

/**
 * RFC 4180 CSV: UTF-8, CRLF after every record (header included), fields quoted only when they
 * hold the delimiter, a quote, CR or LF, with quotes doubled. Built for scheduled deliveries and
 * exports, which stream rows from a database cursor.
 */

export type CsvDelimiter = ',' | ';' | '\t' | '|';

export interface CsvOptions {
  /** Field separator; `,` by default. */
  delimiter?: CsvDelimiter;
  /**
   * Prefix text cells that a spreadsheet would run as a formula (`=`, `+`, `-`, `@`, tab, CR)
   * with `'` (OWASP "CSV injection"). Default true. Real numbers, and text that is only a
   * decimal number such as `-12.50`, are left alone: a spreadsheet reads those as numbers.
   */
  escapeFormulas?: boolean;
  /** Start the header with a UTF-8 byte order mark, which Excel needs to detect UTF-8. Default false. */
  bom?: boolean;
}

export type CsvRowInput = readonly unknown[] | Readonly<Record<string, unknown>>;

const DELIMITERS: ReadonlySet<string> = new Set([',', ';', '\t', '|']);
const CRLF = '\r\n';
const FORMULA_START = /^[=+\-@\t\r]/;
const PLAIN_NUMBER = /^[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?$/;

interface ResolvedOptions {
  delimiter: string;
  escapeFormulas: boolean;
  bom: boolean;
}

function resolveOptions(opts: CsvOptions): ResolvedOptions {
  const delimiter = opts.delimiter ?? ',';
  // The type already limits this; the check covers callers passing parsed-but-untyped settings.
  if (!DELIMITERS.has(delimiter)) throw new RangeError(`CSV delimiter must be one of , ; | or tab; got ${JSON.stringify(delimiter)}`);
  return { delimiter, escapeFormulas: opts.escapeFormulas ?? true, bom: opts.bom ?? false };
}

/** The text of one cell before quoting; numbers stay as written so they are never formula-escaped. */
function cellText(value: unknown): { text: string; numeric: boolean } {
  if (value === null || value === undefined) return { text: '', numeric: false };
  if (typeof value === 'string') return { text: value, numeric: false };
  if (typeof value === 'number' || typeof value === 'bigint') return { text: String(value), numeric: true };
  if (typeof value === 'boolean') return { text: String(value), numeric: false };
  if (value instanceof Date) return { text: Number.isNaN(value.getTime()) ? '' : value.toISOString(), numeric: false };
  if (typeof value === 'object') return { text: JSON.stringify(value), numeric: false };
  return { text: String(value), numeric: false };
}

/**
 * A cell's text as the file holds it before quoting (formula guard applied). Exported for the
 * compiled SQL export, which writes values fixed by the mapping exactly as this writer would.
 */
export function csvCellContent(value: unknown, escapeFormulas = true): string {
  const { text, numeric } = cellText(value);
  return escapeFormulas && !numeric && FORMULA_START.test(text) && !PLAIN_NUMBER.test(text) ? `'${text}` : text;
}

function encodeCell(value: unknown, o: ResolvedOptions): string {
  const text = csvCellContent(value, o.escapeFormulas);
  const needsQuotes = text.includes(o.delimiter) || text.includes('"') || text.includes('\r') || text.includes('\n');
  return needsQuotes ? `"${text.replaceAll('"', '""')}"` : text;
}

function encodeRecord(values: readonly unknown[], o: ResolvedOptions): string {
  if (values.length === 0) throw new RangeError('a CSV record needs at least one field');
  // A lone empty field would be a blank line, which readers skip; quoting keeps it a record.
  if (values.length === 1) {
    const only = encodeCell(values[0], o);
    return (only === '' ? '""' : only) + CRLF;
  }
  return values.map((value) => encodeCell(value, o)).join(o.delimiter) + CRLF;
}

/** The header record (with the BOM first when `bom` is set), ending in CRLF. */
export function csvHeader(columns: readonly string[], opts: CsvOptions = {}): string {
  const o = resolveOptions(opts);
  return (o.bom ? '\uFEFF' : '') + encodeRecord(columns, o);
}

/** One data record, values in column order, ending in CRLF. */
export function csvRow(values: readonly unknown[], opts: CsvOptions = {}): string {
  return encodeRecord(values, resolveOptions(opts));
}

function rowValues(row: unknown, columns: readonly string[]): unknown[] {
  if (Array.isArray(row)) {
    if (row.length > columns.length) {
      throw new RangeError(`CSV row has ${row.length} values but there are ${columns.length} columns`);
    }
    return columns.map((_, i) => row[i]);
  }
  if (row !== null && typeof row === 'object') {
    // Own keys only, so a column named "constructor" or "toString" reads as empty, not a function.
    return columns.map((column) =>
      Object.prototype.hasOwnProperty.call(row, column) ? (row as Record<string, unknown>)[column] : undefined,
    );
  }
  throw new TypeError(`CSV rows must be objects keyed by column or arrays in column order; got ${typeof row}`);
}

/**
 * Object-mode rows in (objects keyed by column name, or arrays in column order; missing values
 * are empty), UTF-8 CSV bytes out. The header is queued at creation, so a run with no rows still
 * yields a valid file, and backpressure flows through to the row source.
 */
export function createCsvStream(columns: readonly string[], opts: CsvOptions = {}): Transform {
  const encoder = createCsvEncoder(columns, opts);
  const cols = [...columns];
  const stream = new Transform({
    writableObjectMode: true,
    readableObjectMode: false,
    transform(row: unknown, _encoding, callback) {
      try {
        callback(null, encoder.row(rowValues(row, cols)));
      } catch (error) {
        callback(error as Error);
      }
    },
  });
  stream.push(encoder.header);
  return stream;
}

/**
 * The same records as text, for callers that write many rows per chunk (exports of millions
 * of rows): the header once, then one string per record, options resolved once.
 */
export function createCsvEncoder(columns: readonly string[], opts: CsvOptions = {}) {
  const o = resolveOptions(opts);
  return {
    header: (o.bom ? '\uFEFF' : '') + encodeRecord(columns, o),
    /** One record, values in column order, ending in CRLF. */
    row: (values: readonly unknown[]) => encodeRecord(values, o),
  };
}
