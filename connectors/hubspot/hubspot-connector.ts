import { z } from 'zod';
import type { ConnectorDefinition } from '../connector.js';
import { createHttpClient } from '../http/create-http-client.js';
import { createHubSpotPropertyCheck } from './ensure-hubspot-properties.js';
import { fetchDealContactEmails } from './fetch-deal-contact-emails.js';
import { hubspotDefaultMapping } from './hubspot-default-mapping.js';
import { sendHubSpotRequest } from './send-hubspot-request.js';
import { HUBSPOT_BATCH_SIZE, upsertHubSpotContacts, type HubSpotAccount } from './upsert-hubspot-contacts.js';

const DEFAULT_BASE_URL = 'https://api.hubapi.com';

export const hubspotSettingsSchema = z
  .object({
    baseUrl: z
      .url({ protocol: /^https?$/, error: 'baseUrl must be an absolute http or https URL' })
      .optional()
      .describe(`API root; default ${DEFAULT_BASE_URL}`),
    propertyPrefix: z
      .string()
      .regex(/^[a-z][a-z0-9_]{0,49}$/, { error: 'propertyPrefix must be lower-case letters, digits and _, starting with a letter' })
      .optional()
      .describe('Prepended to custom contact property names (e.g. "referral_"); default properties such as firstname keep their names'),
  })
  .strict();

export const hubspotSecretsSchema = z
  .object({
    accessToken: z
      .string()
      .trim()
      .min(1)
      .describe(
        'Private app access token (Bearer), with the crm.objects.contacts.read and .write scopes, crm.schemas.contacts.read and .write (the hub creates its referral_hub_* contact properties), and crm.objects.deals.read for deal stage webhooks',
      ),
  })
  .strict();

// Private apps on Free/Starter get 100 requests per rolling 10 s (higher tiers more), shared by
// every app in the account: 10 a second is the floor every account allows.
const REQUESTS_PER_SECOND = 10;

/** HubSpot CRM contacts destination: batch upsert by email. */
export const hubspotConnector: ConnectorDefinition<typeof hubspotSettingsSchema, typeof hubspotSecretsSchema> = {
  kind: 'hubspot',
  displayName: 'HubSpot',
  targets: (settings) => (settings.baseUrl ? [settings.baseUrl] : []),
  settingsSchema: hubspotSettingsSchema,
  secretsSchema: hubspotSecretsSchema,
  defaultMapping: hubspotDefaultMapping,
  create({ settings, secrets }, runtime) {
    const baseUrl = settings.baseUrl ?? DEFAULT_BASE_URL;
    const redact = [secrets.accessToken];
    const client = createHttpClient({
      baseURL: baseUrl,
      timeoutMs: runtime.timeoutMs,
      lookup: runtime.lookup,
      headers: { Authorization: `Bearer ${secrets.accessToken}`, Accept: 'application/json' },
    });
    const account: HubSpotAccount = { client, baseUrl, propertyPrefix: settings.propertyPrefix, runtime, redact };
    const properties = createHubSpotPropertyCheck(account);
    return {
      async check() {
        await runtime.assertTargetAllowed(baseUrl);
        // https://developers.hubspot.com/docs/api/crm/contacts (GET /crm/v3/objects/contacts)
        // The cheapest call the contacts scope allows: one contact, or none.
        await sendHubSpotRequest(redact, () => client.get('/crm/v3/objects/contacts', { params: { limit: 1 } }));
      },
      destination: {
        batchSize: HUBSPOT_BATCH_SIZE,
        requestsPerSecond: REQUESTS_PER_SECOND,
        push: (records) => upsertHubSpotContacts(account, records, properties),
      },
      // For POST /webhooks/hubspot: its deal stage changes name only the deal.
      dealContacts: { emails: (dealId) => fetchDealContactEmails(account, dealId) },
    };
  },
};
