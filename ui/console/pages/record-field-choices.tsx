import { RECORD_COLUMNS } from '../../../schema/record-columns.js';
import { DEFAULT_FIELDS, RECORD_ROOT, type Resource } from '../../../schema/record-queries.js';

// The referrer's fields ride along on every record but members (whose own fields they are).
const MEMBER_FIELDS = ['member.email', 'member.firstName', 'member.lastName', 'member.referralCode'];

/** The fields a form offers for a record type: its own columns, then the referrer's. */
export function recordFieldNames(resource: Resource): string[] {
  const own = Object.keys(RECORD_COLUMNS[resource]);
  return resource === 'members' ? own : [...own, ...MEMBER_FIELDS];
}

/** A checked field name as a mapping entry, the way exports read `fields=`: bare names belong to the record. */
export function fieldEntry(resource: Resource, name: string) {
  const root = RECORD_ROOT[resource];
  return { target: name, source: name.startsWith('member.') || name.startsWith(`${root}.`) ? name : `${root}.${name}` };
}

export const defaultFieldNames = (resource: Resource) => DEFAULT_FIELDS[resource];

/** One checkbox per field of the record type, in a fieldset with its error. */
export function FieldChoices(props: { resource: Resource; checked: readonly string[]; error?: string; name?: string }) {
  const name = props.name ?? 'fields';
  return (
    <fieldset aria-describedby={props.error ? 'fields-error' : undefined}>
      <legend>Fields</legend>
      {recordFieldNames(props.resource).map((field) => (
        <label class="inline">
          <input type="checkbox" name={name} value={field} checked={props.checked.includes(field)} />
          {field}
        </label>
      ))}
      {props.error ? (
        <p class="error" id="fields-error">
          {props.error}
        </p>
      ) : null}
    </fieldset>
  );
}

/** `2025-01-31T08:00` from a datetime-local input, read as UTC; anything else is passed on for the API to judge. */
export function utcInstant(value: string): string | undefined {
  const v = value.trim();
  if (!v) return undefined;
  if (/^\d{4}-\d\d-\d\dT\d\d:\d\d$/.test(v)) return `${v}:00Z`;
  if (/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d$/.test(v)) return `${v}Z`;
  if (/^\d{4}-\d\d-\d\d$/.test(v)) return `${v}T00:00:00Z`;
  return v;
}

/** The value a datetime-local input shows for an instant (UTC, to the minute). */
export const localInputValue = (iso: string | null | undefined) => (iso ? iso.slice(0, 16) : '');
