import type { AxiosInstance } from 'axios';
import { z } from 'zod';
import { ConnectorError, type ConnectorErrorKind, type ConnectorRuntime, type OutboundRecord, type RecordResult } from '../connector.js';
import type { HubSpotPropertyCheck } from './ensure-hubspot-properties.js';
import { sendHubSpotRequest } from './send-hubspot-request.js';
import { toHubSpotContact, type HubSpotContact } from './to-hubspot-contact.js';

/** One HubSpot account and how to reach it. */
export interface HubSpotAccount {
  /** Axios client with the base URL and the Bearer token. */
  client: AxiosInstance;
  baseUrl: string;
  propertyPrefix?: string;
  runtime: ConnectorRuntime;
  /** Secret values kept out of error messages. */
  redact: readonly string[];
}

/** CRM batch endpoints take at most 100 inputs per request. */
export const HUBSPOT_BATCH_SIZE = 100;
const UPSERT_PATH = '/crm/v3/objects/contacts/batch/upsert';

// https://developers.hubspot.com/docs/api-reference/error-handling — treat every field as optional.
const batchErrorSchema = z.looseObject({
  category: z.string().optional(),
  message: z.string().optional(),
  id: z.string().optional(),
  context: z.record(z.string(), z.unknown()).optional(),
});

const batchResponseSchema = z.looseObject({
  results: z
    .array(z.looseObject({ objectWriteTraceId: z.string().optional(), properties: z.record(z.string(), z.unknown()).optional() }))
    .optional(),
  errors: z.array(batchErrorSchema).optional(),
});

type BatchError = z.infer<typeof batchErrorSchema>;
type Failure = { kind: ConnectorErrorKind; message: string; status?: number };

/** The records for one address: sent as one input, and their results are that input's. */
interface ContactGroup {
  contact: HubSpotContact;
  indexes: number[];
  failure?: Failure;
}

function chunk<T>(items: readonly T[], size: number): T[][] {
  const chunks: T[][] = [];
  for (let i = 0; i < items.length; i += size) chunks.push(items.slice(i, i + size));
  return chunks;
}

function strings(value: unknown): string[] {
  if (typeof value === 'string') return [value];
  return Array.isArray(value) ? value.filter((item): item is string => typeof item === 'string') : [];
}

/** The inputs an error names: by our objectWriteTraceId, or by the email used as id. */
function inputsNamedBy(error: BatchError, byTrace: Map<string, ContactGroup>, byEmail: Map<string, ContactGroup>): ContactGroup[] {
  const traces = strings(error.context?.objectWriteTraceId);
  const ids = [...strings(error.context?.ids), ...strings(error.context?.id), ...strings(error.id)];
  const named = [...traces.map((trace) => byTrace.get(trace)), ...ids.map((id) => byEmail.get(id.toLowerCase()))];
  return [...new Set(named.filter((group): group is ContactGroup => group !== undefined))];
}

function refusal(error: BatchError): string {
  return `HubSpot refused the contact: ${[error.category, error.message].filter(Boolean).join(': ') || 'no reason given'}`;
}

function applyBatchErrors(groups: readonly ContactGroup[], data: z.infer<typeof batchResponseSchema>): void {
  const byTrace = new Map(groups.map((group, index) => [String(index), group]));
  const byEmail = new Map(groups.map((group) => [group.contact.email.toLowerCase(), group]));
  const unattributed: BatchError[] = [];
  for (const error of data.errors ?? []) {
    const named = inputsNamedBy(error, byTrace, byEmail);
    if (named.length === 0) unattributed.push(error);
    for (const group of named) group.failure = { kind: 'invalid', message: refusal(error) };
  }
  const [first] = unattributed;
  if (!first) return;
  // An error we cannot tie to an input: only inputs the results confirm count as written.
  const confirmed = new Set<ContactGroup>();
  for (const result of data.results ?? []) {
    const group =
      (result.objectWriteTraceId && byTrace.get(result.objectWriteTraceId)) ||
      byEmail.get(String(result.properties?.email ?? '').toLowerCase());
    if (group) confirmed.add(group);
  }
  for (const group of groups) if (!group.failure && !confirmed.has(group)) group.failure = { kind: 'invalid', message: refusal(first) };
}

async function upsertChunk(account: HubSpotAccount, groups: readonly ContactGroup[]): Promise<number> {
  // Checked before every request, not only at setup: DNS for the host may have changed since.
  await account.runtime.assertTargetAllowed(account.baseUrl);
  // A unique objectWriteTraceId per input is what turns on 207 multi-status answers with
  // per-input errors (documented for batch create) and lets us tie each error to its input.
  const inputs = groups.map((group, index) => ({
    idProperty: 'email',
    id: group.contact.email,
    properties: group.contact.properties,
    objectWriteTraceId: String(index),
  }));
  // https://developers.hubspot.com/docs/api-reference/latest/crm/objects/contacts/batch/upsert-contacts
  const response = await sendHubSpotRequest(account.redact, () => account.client.post(UPSERT_PATH, { inputs }));

  const parsed = batchResponseSchema.safeParse(response.data);
  // The contacts may have been written; a retry upserts the same values again, so that is safe.
  if (!parsed.success)
    throw new ConnectorError('transient', `HubSpot batch upsert answered HTTP ${response.status} with an unreadable body`, {
      status: response.status,
    });
  applyBatchErrors(groups, parsed.data);
  return response.status;
}

function groupByEmail(account: HubSpotAccount, records: readonly OutboundRecord[], results: RecordResult[]): ContactGroup[] {
  const groups = new Map<string, ContactGroup>();
  records.forEach((record, index) => {
    const mapped = toHubSpotContact(record.data, account.propertyPrefix);
    if (!mapped.ok) {
      results[index] = { key: record.key, ok: false, error: { kind: 'invalid', message: mapped.message } };
      return;
    }
    const email = mapped.contact.email.toLowerCase();
    const group = groups.get(email);
    // One batch must not name a contact twice; the later record is the newer state.
    if (group) {
      group.contact = { email: mapped.contact.email, properties: { ...group.contact.properties, ...mapped.contact.properties } };
      group.indexes.push(index);
    } else {
      groups.set(email, { contact: mapped.contact, indexes: [index] });
    }
  });
  return [...groups.values()];
}

/**
 * Upserts records as contacts by email, 100 inputs per request; any number of records is
 * accepted. Per-input errors (207 multi-status or errors[]) fail those records only; a failed
 * request throws ConnectorError (auth, 429 with the policy's wait, 5xx, network). With
 * `properties`, the hub's own contact properties the records carry are created first if missing.
 */
export async function upsertHubSpotContacts(
  account: HubSpotAccount,
  records: readonly OutboundRecord[],
  properties?: HubSpotPropertyCheck,
): Promise<RecordResult[]> {
  const results: RecordResult[] = new Array<RecordResult>(records.length);
  const groups = groupByEmail(account, records, results);
  await properties?.ensure(groups.flatMap((group) => Object.keys(group.contact.properties)));
  for (const part of chunk(groups, HUBSPOT_BATCH_SIZE)) {
    const status = await upsertChunk(account, part);
    for (const group of part) {
      for (const index of group.indexes) {
        const key = (records[index] as OutboundRecord).key;
        results[index] = group.failure ? { key, ok: false, error: group.failure } : { key, ok: true, status };
      }
    }
  }
  return results;
}
