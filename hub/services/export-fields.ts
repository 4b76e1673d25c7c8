import { createMappingSchema } from '../../connectors/mapping/mapping-entry-schema.js';
import type { MappingEntry } from '../../connectors/mapping/mapping-entry-schema.js';
import { DEFAULT_FIELDS, RECORD_ROOT, type Resource } from '../../schema/record-queries.js';
import { ApiError, issuesToDetails } from '../http/api-error.js';

/** `fields=email,status,member.email` → mapping entries (bare names belong to the resource). */
export function exportFields(resource: Resource, fields: string | undefined): MappingEntry[] {
  const root = RECORD_ROOT[resource];
  const names = fields
    ? fields
        .split(',')
        .map((f) => f.trim())
        .filter(Boolean)
    : DEFAULT_FIELDS[resource];
  // `member.x` and `referral.x` are full paths; anything else (`email`, `customFields.plan`) belongs to the resource.
  const entries = names.map((name) => ({
    target: name,
    source: name.startsWith(`${root}.`) || name.startsWith('member.') ? name : `${root}.${name}`,
  }));
  const parsed = createMappingSchema([root, 'member']).safeParse(entries);
  if (!parsed.success)
    throw new ApiError(
      'validation_failed',
      'Invalid fields',
      issuesToDetails(parsed.error.issues).map((d) => ({ ...d, path: `fields.${d.path}` })),
    );
  return parsed.data as MappingEntry[];
}
