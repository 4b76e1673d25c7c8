import { compileMapping } from '../mapping/apply-mapping.js';
import type { MappingEntry } from '../mapping/mapping-entry-schema.js';
import { createCsvEncoder, type CsvDelimiter } from './csv-writer.js';

/**
 * The CSV side of exports and scheduled deliveries: the mapping engine names and shapes the
 * columns, the RFC 4180 writer quotes them. `root` is the record's mapping root (`referral`).
 */
export function createRecordCsv(fields: MappingEntry[], root: string, opts: { delimiter?: CsvDelimiter } = {}) {
  const map = compileMapping(fields);
  const columns = fields.map((f) => f.target);
  const encoder = createCsvEncoder(columns, { delimiter: opts.delimiter });
  /** One record (the resource's public JSON with an optional `member`) to one CSV line. */
  function line(record: Record<string, unknown>): string {
    const { member, ...rest } = record;
    // For member records the root is `member` itself: the (absent) referrer must not replace it.
    const row = map(root === 'member' ? { member: rest } : { [root]: rest, member: member ?? undefined });
    // Own keys only, as the CSV stream reads them: no column can read a prototype's member.
    return encoder.row(columns.map((c) => (Object.hasOwn(row, c) ? row[c] : undefined)));
  }
  return {
    header: encoder.header,
    /** A batch of records as one string: one write per batch, not per row, for millions of rows. */
    lines(records: readonly Record<string, unknown>[]): string {
      let text = '';
      for (const record of records) text += line(record);
      return text;
    },
  };
}
