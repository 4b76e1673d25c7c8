import { z } from 'zod';
import { ConnectorError, type ConnectorErrorKind, type ConnectorRuntime, type OutboundRecord, type RecordResult } from '../connector.js';
import { classifyMailchimpError } from './classify-mailchimp-error.js';
import type { MailchimpClient } from './create-mailchimp-client.js';
import type { MailchimpMergeFieldCheck } from './ensure-mailchimp-merge-fields.js';
import { subscriberHash, toMailchimpMember, type MailchimpMember } from './to-mailchimp-member.js';

export type MailchimpStatusIfNew = 'subscribed' | 'pending' | 'unsubscribed' | 'transactional';

/** One audience (list) and how to reach it. */
export interface MailchimpAudience {
  client: MailchimpClient;
  baseUrl: string;
  listId: string;
  statusIfNew: MailchimpStatusIfNew;
  /** Tags every pushed member gets, on top of the record's own. */
  tags: readonly string[];
  runtime: ConnectorRuntime;
  /** Secret values kept out of error messages. */
  redact: readonly string[];
}

/** Batch subscribe takes at most 500 members per call. */
export const MAILCHIMP_BATCH_SIZE = 500;
// Tag calls of one batch at once; the client's connection limit still caps all calls together.
const TAG_CONCURRENCY = 4;
// A 400 on a single member (fake address, compliance state, bad merge value) is that member's;
// everything else (auth, missing list, 429, 5xx) is the audience's and fails the whole push.
const MEMBER_LEVEL_STATUSES = new Set([400, 422]);

const batchResponseSchema = z.looseObject({
  errors: z
    .array(
      z.looseObject({
        email_address: z.string(),
        error: z.string().nullish(),
        error_code: z.string().nullish(),
        field: z.string().nullish(),
        field_message: z.string().nullish(),
      }),
    )
    .nullish(),
});

type Failure = { kind: ConnectorErrorKind; message: string; status?: number };

/** The records for one address: sent once, and their results are that one member's. */
interface MemberGroup {
  member: MailchimpMember;
  indexes: number[];
  failure?: Failure;
}

function unique(values: readonly string[]): string[] {
  return [...new Set(values)];
}

function chunk<T>(items: readonly T[], size: number): T[][] {
  const chunks: T[][] = [];
  for (let i = 0; i < items.length; i += size) chunks.push(items.slice(i, i + size));
  return chunks;
}

function memberFailure(error: ConnectorError): Failure | undefined {
  if (error.status === undefined || !MEMBER_LEVEL_STATUSES.has(error.status)) return undefined;
  return { kind: error.kind, message: error.message, status: error.status };
}

async function putMember(audience: MailchimpAudience, group: MemberGroup): Promise<void> {
  const { email_address, merge_fields } = group.member;
  try {
    // https://mailchimp.com/developer/marketing/api/list-members/add-or-update-list-member/
    await audience.client.lists.setListMember(audience.listId, subscriberHash(email_address), {
      email_address,
      status_if_new: audience.statusIfNew,
      merge_fields,
    });
  } catch (caught) {
    const error = classifyMailchimpError(caught, { redact: audience.redact });
    group.failure = memberFailure(error);
    if (!group.failure) throw error;
  }
}

async function batchSubscribe(audience: MailchimpAudience, groups: readonly MemberGroup[]): Promise<void> {
  let body: unknown;
  try {
    // https://mailchimp.com/developer/marketing/api/lists/batch-subscribe-or-unsubscribe/
    // Batch subscribe has no status_if_new: `status` is what new members get, and
    // update_existing makes the same call update the merge fields of existing members.
    body = await audience.client.lists.batchListMembers(audience.listId, {
      members: groups.map(({ member }) => ({
        email_address: member.email_address,
        status: audience.statusIfNew,
        merge_fields: member.merge_fields,
      })),
      update_existing: true,
    });
  } catch (caught) {
    throw classifyMailchimpError(caught, { redact: audience.redact });
  }
  const parsed = batchResponseSchema.safeParse(body);
  // The members may have been written; a retry re-sends the same upserts, so that is safe.
  if (!parsed.success)
    throw new ConnectorError('transient', 'Mailchimp batch subscribe answered with a body that has no readable errors list');

  const byAddress = new Map(groups.map((group) => [group.member.email_address.toLowerCase(), group]));
  for (const rejected of parsed.data.errors ?? []) {
    const group = byAddress.get(rejected.email_address.toLowerCase());
    if (!group) continue;
    const reason = [
      rejected.error,
      rejected.error_code && `(${rejected.error_code})`,
      rejected.field && `[${rejected.field}: ${rejected.field_message ?? ''}]`,
    ];
    group.failure = { kind: 'invalid', message: `Mailchimp refused the member: ${reason.filter(Boolean).join(' ') || 'no reason given'}` };
  }
}

async function tagMember(audience: MailchimpAudience, group: MemberGroup): Promise<void> {
  try {
    // https://mailchimp.com/developer/marketing/api/list-member-tags/add-or-remove-member-tags/
    await audience.client.lists.updateListMemberTags(audience.listId, subscriberHash(group.member.email_address), {
      tags: group.member.tags.map((name) => ({ name, status: 'active' })),
    });
  } catch (caught) {
    const error = classifyMailchimpError(caught, { redact: audience.redact });
    group.failure = memberFailure(error);
    if (!group.failure) throw error;
  }
}

/** Runs `task` over `items`, `limit` at a time; stops taking items after the first failure. */
async function forEachLimited<T>(items: readonly T[], limit: number, task: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  let failed: { error: unknown } | undefined;
  const worker = async () => {
    while (!failed && next < items.length) {
      const item = items[next++] as T;
      try {
        await task(item);
      } catch (error) {
        failed ??= { error };
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  if (failed) throw failed.error;
}

function groupByAddress(audience: MailchimpAudience, records: readonly OutboundRecord[], results: RecordResult[]): MemberGroup[] {
  const groups = new Map<string, MemberGroup>();
  records.forEach((record, index) => {
    const mapped = toMailchimpMember(record.data);
    if (!mapped.ok) {
      results[index] = { key: record.key, ok: false, error: { kind: 'invalid', message: mapped.message } };
      return;
    }
    const address = mapped.member.email_address.toLowerCase();
    const group = groups.get(address);
    if (!group) {
      groups.set(address, { member: { ...mapped.member, tags: unique([...audience.tags, ...mapped.member.tags]) }, indexes: [index] });
      return;
    }
    // Mailchimp rejects an address twice in one batch; the later record is the newer state.
    group.member = {
      email_address: mapped.member.email_address,
      merge_fields: { ...group.member.merge_fields, ...mapped.member.merge_fields },
      tags: unique([...group.member.tags, ...mapped.member.tags]),
    };
    group.indexes.push(index);
  });
  return [...groups.values()];
}

/**
 * Upserts records into one audience: one member PUT (with status_if_new) when a chunk holds a
 * single address, batch subscribe with update_existing for more, then the tags. Any number of
 * records is accepted and sent in chunks of 500, so backfills and audience imports use it as is.
 * Throws ConnectorError when the audience itself fails (auth, list, 429, 5xx, network). With
 * `mergeFields`, the hub's own merge fields the records carry are added to the audience first.
 */
export async function upsertMailchimpMembers(
  audience: MailchimpAudience,
  records: readonly OutboundRecord[],
  mergeFields?: MailchimpMergeFieldCheck,
): Promise<RecordResult[]> {
  const results: RecordResult[] = new Array<RecordResult>(records.length);
  const groups = groupByAddress(audience, records, results);
  // Checked before every push, not only at setup: DNS for the host may have changed since.
  if (groups.length > 0) await audience.runtime.assertTargetAllowed(audience.baseUrl);
  await mergeFields?.ensure(groups.flatMap((group) => Object.keys(group.member.merge_fields)));

  for (const part of chunk(groups, MAILCHIMP_BATCH_SIZE)) {
    if (part.length === 1) await putMember(audience, part[0] as MemberGroup);
    else await batchSubscribe(audience, part);
    const toTag = part.filter((group) => !group.failure && group.member.tags.length > 0);
    await forEachLimited(toTag, TAG_CONCURRENCY, (group) => tagMember(audience, group));
  }

  for (const group of groups) {
    for (const index of group.indexes) {
      const key = (records[index] as OutboundRecord).key;
      results[index] = group.failure ? { key, ok: false, error: group.failure } : { key, ok: true, status: 200 };
    }
  }
  return results;
}
