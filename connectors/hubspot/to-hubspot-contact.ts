/** What one mapped record becomes for the contacts batch upsert. */
export interface HubSpotContact {
  email: string;
  /** Internal property names → values; HubSpot property values are strings. */
  properties: Record<string, string>;
}

export type ContactMapping = { ok: true; contact: HubSpotContact } | { ok: false; message: string };

// Only catches records without an address; HubSpot judges the rest and rejects per input.
const EMAIL_SHAPE = /^[^\s@]+@[^\s@]+$/;
// Internal names are lower case: letters, digits and underscores, starting with a letter.
const PROPERTY_NAME = /^[a-z][a-z0-9_]{0,99}$/;
// Default contact properties keep their names when a prefix is configured; so does anything
// HubSpot defines itself (hs_…).
const DEFAULT_PROPERTIES = new Set([
  'firstname',
  'lastname',
  'phone',
  'mobilephone',
  'company',
  'website',
  'jobtitle',
  'address',
  'city',
  'state',
  'zip',
  'country',
  'lifecyclestage',
  'hubspot_owner_id',
]);

/** The internal name a mapped field is sent as: custom names get `prefix`, default ones keep theirs. */
export function propertyName(field: string, prefix: string | undefined): string {
  if (!prefix || DEFAULT_PROPERTIES.has(field) || field.startsWith('hs_') || field.startsWith(prefix)) return field;
  return `${prefix}${field}`;
}

function propertyValue(value: unknown): string | undefined {
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  // An empty string clears the property, which is what a mapped null means.
  if (value === null) return '';
  // Multiple-checkbox properties take their options separated by semicolons.
  if (Array.isArray(value) && value.every((item) => typeof item === 'string')) return value.join(';');
  return undefined;
}

/**
 * Maps a record's `data`: `email` is the upsert key (idProperty email), every other field a
 * contact property, `propertyPrefix` prepended to the names of custom ones.
 */
export function toHubSpotContact(data: Record<string, unknown>, propertyPrefix?: string): ContactMapping {
  const { email, ...fields } = data;
  if (typeof email !== 'string' || !EMAIL_SHAPE.test(email.trim())) return { ok: false, message: 'record has no valid "email" field' };

  const properties: Record<string, string> = {};
  for (const [field, value] of Object.entries(fields)) {
    if (value === undefined) continue;
    const name = propertyName(field, propertyPrefix);
    if (!PROPERTY_NAME.test(name)) {
      return { ok: false, message: `"${name}" is not a HubSpot property name (lower-case letters, digits and _, starting with a letter)` };
    }
    const text = propertyValue(value);
    if (text === undefined) return { ok: false, message: `"${field}" must be text, a number, a boolean or a list of texts` };
    properties[name] = text;
  }
  return { ok: true, contact: { email: email.trim(), properties } };
}
