import { z } from 'zod';
import { ConnectorError } from '../connector.js';
import { classifyMailchimpError } from './classify-mailchimp-error.js';
import { MAILCHIMP_HUB_MERGE_FIELDS } from './mailchimp-default-mapping.js';
import type { MailchimpAudience } from './upsert-mailchimp-members.js';

// An audience has at most a few dozen merge fields; one page of the maximum size holds them all.
const PAGE_SIZE = 1000;

const listSchema = z.looseObject({ merge_fields: z.array(z.looseObject({ tag: z.string().optional() })).optional() });

export interface MailchimpMergeFieldCheck {
  /** Makes sure the hub's own merge tags among `tags` exist in the audience, adding the missing ones once. */
  ensure(tags: Iterable<string>): Promise<void>;
}

/**
 * Adds the hub's merge fields (REFCODE, REFURL) to the audience the first time a record carries
 * them: Mailchimp silently drops values for merge fields an audience does not have, so the
 * referral link would never arrive. Merge fields of the user's own mappings are never touched.
 */
export function createMailchimpMergeFieldCheck(audience: MailchimpAudience): MailchimpMergeFieldCheck {
  const ours = new Map<string, { name: string }>(MAILCHIMP_HUB_MERGE_FIELDS.map((field) => [field.tag, field]));
  const known = new Set<string>();
  const call = async <T>(request: () => Promise<T>): Promise<T> => {
    try {
      return await request();
    } catch (caught) {
      throw classifyMailchimpError(caught, { redact: audience.redact });
    }
  };

  async function ensureNow(tags: Iterable<string>): Promise<void> {
    const wanted = [...new Set(tags)].filter((tag) => ours.has(tag) && !known.has(tag));
    if (wanted.length === 0) return;
    await audience.runtime.assertTargetAllowed(audience.baseUrl);
    // https://mailchimp.com/developer/marketing/api/list-merges/list-merge-fields/
    const listed = listSchema.safeParse(await call(() => audience.client.lists.getListMergeFields(audience.listId, { count: PAGE_SIZE })));
    if (!listed.success) throw new ConnectorError('transient', 'Mailchimp answered the merge field list with a body the hub cannot read');
    const present = new Set((listed.data.merge_fields ?? []).map((field) => field.tag?.toUpperCase()));
    for (const tag of wanted) {
      if (!present.has(tag)) {
        // https://mailchimp.com/developer/marketing/api/list-merges/add-merge-field/ — text, so
        // any link (even a local one while trying the hub out) is accepted.
        await call(() =>
          audience.client.lists.addListMergeField(audience.listId, {
            tag,
            name: ours.get(tag)!.name,
            type: 'text',
            public: false,
            required: false,
          }),
        );
      }
      known.add(tag);
    }
  }

  // Two batches may be in flight at once: one at a time, so a field is never added twice.
  let queue: Promise<void> = Promise.resolve();
  return {
    ensure(tags) {
      const run = queue.then(() => ensureNow(tags));
      queue = run.catch(() => undefined);
      return run;
    },
  };
}
