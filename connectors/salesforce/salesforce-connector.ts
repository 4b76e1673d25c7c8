import { z } from 'zod';
import type { ConnectorDefinition } from '../connector.js';
import { createHttpClient } from '../http/create-http-client.js';
import { classifySalesforceResponse } from './classify-salesforce-response.js';
import { createSalesforceSession } from './create-salesforce-session.js';
import { salesforceDefaultMapping } from './salesforce-default-mapping.js';
import { SALESFORCE_API_VERSION, SALESFORCE_COLLECTION_LIMIT, upsertSalesforceRecords } from './upsert-salesforce-records.js';

const httpUrl = (what: string) => z.url({ protocol: /^https?$/, error: `${what} must be an absolute http or https URL` });

export const salesforceSettingsSchema = z
  .object({
    loginUrl: httpUrl('loginUrl').describe('My Domain URL the token is requested from, e.g. https://acme.my.salesforce.com'),
    object: z.enum(['Lead', 'Contact']).describe('Object the records are upserted as'),
    externalIdField: z
      .string()
      .regex(/^[A-Za-z][A-Za-z0-9_]*$/, 'must be a field API name such as Referral_Id__c')
      .describe('API name of a field marked External ID; each mapped record carries its value'),
    baseUrl: httpUrl('baseUrl').optional().describe('REST API base instead of the instance_url Salesforce returns (proxies, tests)'),
  })
  .strict();

export const salesforceSecretsSchema = z
  .object({
    clientId: z.string().min(1).describe('Consumer key of the connected app (client credentials flow enabled)'),
    clientSecret: z.string().min(1).describe('Consumer secret of the connected app'),
  })
  .strict();

// The org allowance is daily (and shared with every other integration); this keeps bursts polite.
const REQUESTS_PER_SECOND = 10;

/**
 * Salesforce CRM destination: OAuth 2.0 client credentials, Leads or Contacts upserted by an
 * External ID field (connector-apis.md §5). The external id value is `data[externalIdField]`.
 */
export const salesforceConnector: ConnectorDefinition<typeof salesforceSettingsSchema, typeof salesforceSecretsSchema> = {
  kind: 'salesforce',
  displayName: 'Salesforce',
  targets: (settings) => [settings.loginUrl, ...(settings.baseUrl ? [settings.baseUrl] : [])],
  settingsSchema: salesforceSettingsSchema,
  secretsSchema: salesforceSecretsSchema,
  defaultMapping: salesforceDefaultMapping,
  create({ settings, secrets }, runtime) {
    const session = createSalesforceSession({
      client: createHttpClient({ timeoutMs: runtime.timeoutMs, lookup: runtime.lookup }),
      runtime,
      loginUrl: settings.loginUrl,
      clientId: secrets.clientId,
      clientSecret: secrets.clientSecret,
      baseUrl: settings.baseUrl,
    });
    const target = { object: settings.object, externalIdField: settings.externalIdField };
    return {
      async check() {
        // A small read that proves the credentials, the token and REST access in one call.
        // https://developer.salesforce.com/docs/atlas.en-us.api_rest.meta/api_rest/resources_limits.htm
        const response = await session.send('GET', `/services/data/${SALESFORCE_API_VERSION}/limits`);
        if (response.status !== 200) throw classifySalesforceResponse(response, session.redact());
      },
      destination: {
        batchSize: SALESFORCE_COLLECTION_LIMIT,
        requestsPerSecond: REQUESTS_PER_SECOND,
        push: (records) => upsertSalesforceRecords(session, target, records),
      },
    };
  },
};
