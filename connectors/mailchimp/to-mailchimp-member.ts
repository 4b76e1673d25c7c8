import crypto from 'node:crypto';

/** What one mapped record becomes for the Lists API. */
export interface MailchimpMember {
  email_address: string;
  /** Keys are merge tags (REFCODE, FNAME, ...). */
  merge_fields: Record<string, unknown>;
  /** Tags from the record itself; the connector's own tags are added later. */
  tags: string[];
}

export type MemberMapping = { ok: true; member: MailchimpMember } | { ok: false; message: string };

// https://mailchimp.com/developer/marketing/docs/merge-fields/ — tags are at most 10 characters.
const MERGE_TAG = /^[A-Z0-9_]{1,10}$/;
// Deliberately loose: Mailchimp has its own rules and reports rejects per member.
const EMAIL_SHAPE = /^[^\s@]+@[^\s@]+$/;
const TAG_NAME_MAX = 100;

/** Mailchimp's member id: MD5 hex of the lower-cased address. */
export function subscriberHash(email: string): string {
  return crypto.createHash('md5').update(email.toLowerCase(), 'utf8').digest('hex');
}

function readTags(value: unknown): string[] | undefined {
  const list = typeof value === 'string' ? [value] : value;
  if (!Array.isArray(list)) return undefined;
  const tags = list.map((tag) => (typeof tag === 'string' ? tag.trim() : ''));
  return tags.every((tag) => tag.length > 0 && tag.length <= TAG_NAME_MAX) ? tags : undefined;
}

/**
 * Maps a record's `data`: `email` becomes `email_address`, `tags` (a name or a list of names)
 * become member tags, and every other field a merge field under its upper-cased name. A name that
 * cannot be a merge tag fails the record instead of being dropped or truncated silently.
 */
export function toMailchimpMember(data: Record<string, unknown>): MemberMapping {
  const { email, tags, ...fields } = data;
  if (typeof email !== 'string' || !EMAIL_SHAPE.test(email.trim())) {
    return { ok: false, message: 'record has no valid "email" field' };
  }
  const memberTags = tags === undefined || tags === null ? [] : readTags(tags);
  if (!memberTags) return { ok: false, message: `"tags" must be a tag name or a list of names of 1-${TAG_NAME_MAX} characters` };

  const mergeFields: Record<string, unknown> = {};
  for (const [name, value] of Object.entries(fields)) {
    if (value === undefined) continue;
    const tag = name.toUpperCase();
    if (!MERGE_TAG.test(tag)) {
      return { ok: false, message: `"${name}" is not a Mailchimp merge tag (1-10 characters of A-Z, 0-9 and _)` };
    }
    if (tag in mergeFields) return { ok: false, message: `fields "${name}" and another both map to merge tag ${tag}` };
    // Merge field values are text, numbers or address objects; a mapped null (no source value)
    // goes out as an empty field rather than a JSON null.
    mergeFields[tag] = value === null ? '' : value;
  }
  return { ok: true, member: { email_address: email.trim(), merge_fields: mergeFields, tags: memberTags } };
}
