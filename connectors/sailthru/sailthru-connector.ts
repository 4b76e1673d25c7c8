import { z } from 'zod';
import { ConnectorError, type ConnectorDefinition, type OutboundRecord, type RecordResult } from '../connector.js';
import { createHttpClient } from '../http/create-http-client.js';
import { classifySailthruError, sailthruErrorSchema } from './classify-sailthru-error.js';
import { createSailthruClient, type SailthruClient } from './create-sailthru-client.js';
import { sailthruDefaultMapping } from './sailthru-default-mapping.js';

export const sailthruSettingsSchema = z
  .object({
    listName: z.string().trim().min(1).describe('Natural list every pushed profile is subscribed to'),
    eventNames: z
      .array(z.string().min(1))
      .optional()
      .describe('Hub event types (e.g. referral.created) also posted to Sailthru /event to drive lifecycle triggers'),
    baseUrl: z
      .url({ protocol: /^https?$/, error: 'baseUrl must be an absolute http or https URL' })
      .optional()
      .describe('Defaults to https://api.sailthru.com'),
  })
  .strict();

export const sailthruSecretsSchema = z
  .object({
    apiKey: z.string().min(1),
    apiSecret: z.string().min(1).describe('Shared secret that signs every request'),
  })
  .strict();

export const SAILTHRU_API_URL = 'https://api.sailthru.com';
// POST /user allows about 300 calls a minute per account (connector-apis.md §3).
const REQUESTS_PER_SECOND = 5;
// GET never changes anything; this address only probes that key and signature are accepted.
const CHECK_PROFILE_ID = 'referral-hub-credentials-check@example.com';

function recordFailure(key: string, error: ConnectorError): RecordResult {
  return {
    key,
    ok: false,
    error: { kind: error.kind, message: error.message, ...(error.status === undefined ? {} : { status: error.status }) },
  };
}

/** Sends one call; a rejected payload is that record's failure, anything else fails the batch. */
async function post(
  client: SailthruClient,
  endpoint: 'user' | 'event',
  payload: Record<string, unknown>,
): Promise<ConnectorError | undefined> {
  const response = await client.call('POST', endpoint, payload);
  if (response.status === 200) return undefined;
  const error = classifySailthruError(response, { redact: client.redact, now: client.now() });
  if (error.kind !== 'invalid') throw error;
  return error;
}

async function pushRecord(
  client: SailthruClient,
  settings: z.infer<typeof sailthruSettingsSchema>,
  record: OutboundRecord,
): Promise<RecordResult> {
  const { email, ...vars } = record.data;
  if (typeof email !== 'string' || email.trim() === '') {
    return recordFailure(
      record.key,
      new ConnectorError('invalid', 'the mapped record has no email field: Sailthru profiles are keyed by email'),
    );
  }
  const sendEvent = settings.eventNames?.includes(record.event.type) ?? false;
  // Checked up front so a record is never left half sent (profile saved, event refused).
  client.assertWithinLimit('POST', 'user');
  if (sendEvent) client.assertWithinLimit('POST', 'event');

  // https://getstarted.meetmarigold.com/engagebysailthru/Content/developers/api/user.html
  const userError = await post(client, 'user', { id: email, key: 'email', vars, lists: { [settings.listName]: 1 } });
  if (userError) return recordFailure(record.key, userError);
  if (sendEvent) {
    // https://getstarted.meetmarigold.com/engagebysailthru/Content/developers/api/event.html
    const eventError = await post(client, 'event', { id: email, key: 'email', event: record.event.type, vars });
    if (eventError) return recordFailure(record.key, eventError);
  }
  return { key: record.key, ok: true, status: 200 };
}

/**
 * Sailthru (Marigold Engage) destination: each record becomes a profile upsert by email with
 * its mapped fields as vars and membership of the configured list, plus a custom event for the
 * configured event types. Sailthru has no batch profile call outside its asynchronous job API,
 * so records go one at a time.
 */
export const sailthruConnector: ConnectorDefinition<typeof sailthruSettingsSchema, typeof sailthruSecretsSchema> = {
  kind: 'sailthru',
  displayName: 'Sailthru (Marigold Engage)',
  targets: (settings) => (settings.baseUrl ? [settings.baseUrl] : []),
  settingsSchema: sailthruSettingsSchema,
  secretsSchema: sailthruSecretsSchema,
  defaultMapping: sailthruDefaultMapping,
  create({ settings, secrets }, runtime) {
    const client = createSailthruClient({
      client: createHttpClient({ timeoutMs: runtime.timeoutMs, lookup: runtime.lookup }),
      runtime,
      baseUrl: settings.baseUrl ?? SAILTHRU_API_URL,
      apiKey: secrets.apiKey,
      apiSecret: secrets.apiSecret,
    });
    return {
      async check() {
        // https://getstarted.meetmarigold.com/engagebysailthru/Content/developers/api/user.html (GET)
        const response = await client.call('GET', 'user', { id: CHECK_PROFILE_ID, key: 'email', fields: { keys: 1 } });
        if (response.status === 200) return;
        const error = classifySailthruError(response, { redact: client.redact, now: client.now() });
        // An unknown profile is a Sailthru error answered after the key and signature passed.
        if (error.kind === 'invalid' && response.status < 500 && sailthruErrorSchema.safeParse(response.data).success) return;
        throw error;
      },
      destination: {
        batchSize: 1,
        requestsPerSecond: REQUESTS_PER_SECOND,
        async push(records) {
          const results: RecordResult[] = [];
          for (const record of records) results.push(await pushRecord(client, settings, record));
          return results;
        },
      },
    };
  },
};
