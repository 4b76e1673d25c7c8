import type { MappingEntry } from '../mapping/mapping-entry-schema.js';
import { mappingPaths, parseSourcePath } from '../mapping/mapping-paths.js';

/** The parts of a record a field mapping reads: which fields of the record, and the referrer or not. */
export interface MappingNeeds {
  fields: string[] | 'all';
  member: boolean;
}

/**
 * What `createRecordCsv(entries, root)` will read of each record, so the query behind it selects
 * only that. A path naming the whole record (`referral`) needs every field; `member.*` needs the
 * referrer.
 */
export function recordNeeds(entries: readonly MappingEntry[], root: string): MappingNeeds {
  const fields = new Set<string>();
  let all = false;
  let member = false;
  for (const entry of entries) {
    for (const use of mappingPaths(entry)) {
      const parsed = parseSourcePath(use.path);
      if ('error' in parsed) continue; // the schema refused these already
      const [head, field] = parsed.segments;
      // The record's own root first: for member records `member.*` is the record, not a referrer.
      if (head === root) {
        if (field === undefined) all = true;
        else fields.add(field);
      } else if (head === 'member') member = true;
    }
  }
  return { fields: all ? 'all' : [...fields], member };
}
