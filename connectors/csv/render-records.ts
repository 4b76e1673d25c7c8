import { compileMapping } from '../mapping/apply-mapping.js';
import type { MappingEntry } from '../mapping/mapping-entry-schema.js';
import { createCsvStream, type CsvDelimiter } from './csv-writer.js';
import type { Transform } from 'node:stream';

/**
 * The CSV side of exports and scheduled deliveries: the mapping engine names and shapes the
 * columns, the RFC 4180 writer quotes them. `root` is the record's mapping root (`referral`).
 */
export function createRecordCsv(fields: MappingEntry[], root: string, opts: { delimiter?: CsvDelimiter } = {}) {
  const map = compileMapping(fields);
  const columns = fields.map((f) => f.target);
  const stream: Transform = createCsvStream(columns, { delimiter: opts.delimiter });
  return {
    stream,
    /** One record (the resource's public JSON with an optional `member`) to one CSV row. */
    toRow(record: Record<string, unknown>): Record<string, unknown> {
      const { member, ...rest } = record;
      return map({ [root]: rest, member: member ?? undefined });
    },
  };
}
