import { compileMappingSql } from '../../connectors/mapping/compile-mapping-sql.js';
import type { MappingEntry } from '../../connectors/mapping/mapping-entry-schema.js';
import type { SqlValue } from '../../connectors/mapping/mapping-sql-values.js';
import { MEMBER_FIELDS, RECORD_COLUMNS, USER_TEXT, type RecordColumn } from '../../schema/record-columns.js';
import { RECORD_ROOT, type Resource } from '../../schema/record-queries.js';

function sqlValue(c: RecordColumn, name: string): SqlValue {
  if (c.kind === 'timestamp') return { type: 'timestamp', sql: c.raw!, iso: c.value };
  if (c.kind === 'text') return { type: 'text', sql: c.value, safe: !USER_TEXT.has(name) };
  return { type: c.kind, sql: c.kind === 'json' ? (c.raw ?? c.value) : c.value };
}

/**
 * A field mapping over one resource's records compiled to SQL cells (see compileMappingSql),
 * reading the columns the JavaScript path's record query reads, so exports and scheduled
 * deliveries can let PostgreSQL write the CSV. `member` says whether the referrer is joined.
 * A mapping SQL cannot reproduce gives `fallback` (why), and stays on the JavaScript path.
 */
export function recordSqlMapping(
  resource: Resource,
  entries: readonly MappingEntry[],
): { cells: string[]; member: boolean } | { fallback: string } {
  const root = RECORD_ROOT[resource];
  let member = false;
  const compiled = compileMappingSql(entries, (head, field) => {
    // For member records `member.*` is the record itself, as in createRecordCsv.
    if (head === root) return Object.hasOwn(RECORD_COLUMNS[resource], field) ? sqlValue(RECORD_COLUMNS[resource][field]!, field) : null;
    const referrer = MEMBER_FIELDS[resource];
    if (head === 'member' && referrer) {
      if (!Object.hasOwn(referrer, field)) return null;
      member = true;
      return sqlValue(referrer[field]!, `member.${field}`);
    }
    // Other roots (program, event, …) are not in an exported record's context: missing.
    return null;
  });
  return 'cells' in compiled ? { cells: compiled.cells, member } : compiled;
}
