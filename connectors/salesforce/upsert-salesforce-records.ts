import { z } from 'zod';
import { ConnectorError, type OutboundRecord, type RecordResult } from '../connector.js';
import { classifySalesforceResponse } from './classify-salesforce-response.js';
import type { SalesforceSession } from './create-salesforce-session.js';

// Collections upsert needs API 46.0 or later; a recent GA version keeps 200 + created:false on updates.
export const SALESFORCE_API_VERSION = 'v62.0';
/** sObject Collections take at most 200 records per request. */
export const SALESFORCE_COLLECTION_LIMIT = 200;

export interface SalesforceTarget {
  object: 'Lead' | 'Contact';
  externalIdField: string;
}

// Record-level failures a later attempt may get past; every other save error is the record's data.
const TRANSIENT_SAVE_ERRORS = new Set(['UNABLE_TO_LOCK_ROW', 'SERVER_UNAVAILABLE']);
// Answers that reject this record's data rather than the connection or the configuration.
const RECORD_LEVEL_STATUSES = new Set([300, 400]);

// One SaveResult per record, in request order; errors carry `statusCode` (SOAP naming), not `errorCode`.
const saveResultsSchema = z.array(
  z.looseObject({
    success: z.boolean(),
    created: z.boolean().optional(),
    errors: z
      .array(z.looseObject({ statusCode: z.string().optional(), errorCode: z.string().optional(), message: z.string().optional() }))
      .default([]),
  }),
);

interface Group {
  externalId: string;
  indexes: number[];
  fields: Record<string, unknown>;
}

function externalIdOf(value: unknown): string | undefined {
  if (typeof value === 'string' && value.trim() !== '') return value;
  if (typeof value === 'number' && Number.isFinite(value)) return String(value);
  return undefined;
}

function failed(key: string, kind: 'invalid' | 'transient', message: string, status?: number): RecordResult {
  return { key, ok: false, error: { kind, message, ...(status === undefined ? {} : { status }) } };
}

/**
 * Records for the same external id are merged in order (later values win) and sent once:
 * one Collections request must not name an external id twice, and the merged record is the
 * latest state of that object anyway.
 */
function groupByExternalId(records: readonly OutboundRecord[], field: string, results: RecordResult[]): Group[] {
  const groups = new Map<string, Group>();
  records.forEach((record, index) => {
    const externalId = externalIdOf(record.data[field]);
    if (externalId === undefined) {
      results[index] = failed(record.key, 'invalid', `the mapped record has no value for the external id field ${field}`);
      return;
    }
    const { Id: _id, attributes: _attributes, ...fields } = record.data;
    const group = groups.get(externalId) ?? { externalId, indexes: [], fields: {} };
    group.indexes.push(index);
    Object.assign(group.fields, fields);
    groups.set(externalId, group);
  });
  return [...groups.values()];
}

/** One record: PATCH …/sobjects/{object}/{field}/{value}; 201 created, 200 (or 204 before v46) updated. */
async function upsertOne(
  session: SalesforceSession,
  target: SalesforceTarget,
  group: Group,
): Promise<{ ok: true; status: number } | { ok: false; error: ConnectorError }> {
  const { [target.externalIdField]: _externalId, ...body } = group.fields;
  // https://developer.salesforce.com/docs/atlas.en-us.api_rest.meta/api_rest/dome_upsert.htm
  const path = `/services/data/${SALESFORCE_API_VERSION}/sobjects/${target.object}/${target.externalIdField}/${encodeURIComponent(group.externalId)}`;
  const response = await session.send('PATCH', path, body);
  if (response.status >= 200 && response.status < 300) return { ok: true, status: response.status };
  const error = classifySalesforceResponse(response, session.redact());
  if (!RECORD_LEVEL_STATUSES.has(response.status) || error.kind !== 'invalid') throw error;
  return { ok: false, error };
}

/** Up to 200 records: PATCH …/composite/sobjects/{object}/{field}, one SaveResult per record in order. */
async function upsertCollection(
  session: SalesforceSession,
  target: SalesforceTarget,
  groups: Group[],
  records: readonly OutboundRecord[],
  results: RecordResult[],
) {
  const path = `/services/data/${SALESFORCE_API_VERSION}/composite/sobjects/${target.object}/${target.externalIdField}`;
  // https://developer.salesforce.com/docs/atlas.en-us.api_rest.meta/api_rest/resources_composite_sobjects_collections_upsert.htm
  const body = { allOrNone: false, records: groups.map((group) => ({ attributes: { type: target.object }, ...group.fields })) };
  const response = await session.send('PATCH', path, body);
  if (response.status !== 200) throw classifySalesforceResponse(response, session.redact());
  const parsed = saveResultsSchema.safeParse(response.data);
  if (!parsed.success || parsed.data.length !== groups.length) {
    throw new ConnectorError(
      'permanent',
      `Salesforce answered the collections upsert with ${parsed.success ? parsed.data.length : 'no'} results for ${groups.length} records`,
      { status: 200 },
    );
  }
  parsed.data.forEach((saved, position) => {
    const group = groups[position] as Group;
    const codes = saved.errors.map((error) => error.statusCode ?? error.errorCode ?? 'UNKNOWN');
    const kind = codes.length > 0 && codes.every((code) => TRANSIENT_SAVE_ERRORS.has(code)) ? 'transient' : 'invalid';
    const message = saved.errors
      .map((error) => `${error.statusCode ?? error.errorCode ?? 'UNKNOWN'}: ${error.message ?? ''}`.trim())
      .join('; ');
    for (const index of group.indexes) {
      const key = (records[index] as OutboundRecord).key;
      results[index] = saved.success ? { key, ok: true, status: 200 } : failed(key, kind, message || 'Salesforce did not save the record');
    }
  });
}

/**
 * Destination.push for Salesforce: upserts Leads or Contacts by an External ID field, one record
 * through the sObject resource, more through sObject Collections with allOrNone false so one
 * bad record does not sink the others. Whole-request failures throw ConnectorError.
 */
export async function upsertSalesforceRecords(
  session: SalesforceSession,
  target: SalesforceTarget,
  records: readonly OutboundRecord[],
): Promise<RecordResult[]> {
  const results: RecordResult[] = new Array<RecordResult>(records.length);
  const groups = groupByExternalId(records, target.externalIdField, results);

  if (groups.length === 1) {
    const group = groups[0] as Group;
    const outcome = await upsertOne(session, target, group);
    for (const index of group.indexes) {
      const key = (records[index] as OutboundRecord).key;
      results[index] = outcome.ok
        ? { key, ok: true, status: outcome.status }
        : failed(key, 'invalid', outcome.error.message, outcome.error.status);
    }
  } else {
    for (let start = 0; start < groups.length; start += SALESFORCE_COLLECTION_LIMIT) {
      await upsertCollection(session, target, groups.slice(start, start + SALESFORCE_COLLECTION_LIMIT), records, results);
    }
  }
  return results;
}
