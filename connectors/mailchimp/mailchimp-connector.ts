import { z } from 'zod';
import type { ConnectorDefinition } from '../connector.js';
import { classifyMailchimpError } from './classify-mailchimp-error.js';
import { createMailchimpClient } from './create-mailchimp-client.js';
import { createMailchimpMergeFieldCheck } from './ensure-mailchimp-merge-fields.js';
import { mailchimpDefaultMapping } from './mailchimp-default-mapping.js';
import { MAILCHIMP_BATCH_SIZE, upsertMailchimpMembers, type MailchimpAudience } from './upsert-mailchimp-members.js';

// `<key>-<dc>`: the suffix names the data centre that serves the account (…-us19 → us19).
const API_KEY = /^[A-Za-z0-9]+-([a-z]+[0-9]+)$/;

export const mailchimpSettingsSchema = z
  .object({
    listId: z
      .string()
      .regex(/^[A-Za-z0-9_-]{1,64}$/, { error: 'listId must be a Mailchimp audience id' })
      .describe('Audience (list) id, from Audience settings'),
    tags: z.array(z.string().trim().min(1).max(100)).max(50).optional().describe('Tags added to every member the connector pushes'),
    statusIfNew: z
      .enum(['subscribed', 'pending', 'unsubscribed', 'transactional'])
      .optional()
      .describe('Status of addresses new to the audience (default subscribed; pending sends a confirmation email)'),
    baseUrl: z
      .url({ protocol: /^https?$/, error: 'baseUrl must be an absolute http or https URL' })
      .optional()
      .describe('API root; default https://<dc>.api.mailchimp.com/3.0'),
  })
  .strict();

export const mailchimpSecretsSchema = z
  .object({
    apiKey: z.string().regex(API_KEY, { error: 'apiKey must look like <key>-<dc>, e.g. …-us19' }).describe('Marketing API key'),
  })
  .strict();

// 10 simultaneous connections per key is Mailchimp's only published limit (no per-second quota).
// A push holds one connection for its batch call and up to TAG_CONCURRENCY for tag calls, so two
// pushes at once stay inside 10 and leave room for the account's other integrations.
const BATCHES_IN_FLIGHT = 2;

function defaultBaseUrl(apiKey: string): string {
  const dc = API_KEY.exec(apiKey)?.[1] ?? 'invalid-dc';
  return `https://${dc}.api.mailchimp.com/3.0`;
}

/**
 * Mailchimp audience destination through the official SDK: members upserted by
 * address, mapped fields as merge fields, optional tags.
 */
export const mailchimpConnector: ConnectorDefinition<typeof mailchimpSettingsSchema, typeof mailchimpSecretsSchema> = {
  kind: 'mailchimp',
  displayName: 'Mailchimp',
  targets: (settings) => (settings.baseUrl ? [settings.baseUrl] : []),
  settingsSchema: mailchimpSettingsSchema,
  secretsSchema: mailchimpSecretsSchema,
  defaultMapping: mailchimpDefaultMapping,
  create({ settings, secrets }, runtime) {
    const baseUrl = settings.baseUrl ?? defaultBaseUrl(secrets.apiKey);
    const redact = [secrets.apiKey, Buffer.from(`user:${secrets.apiKey}`).toString('base64')];
    const client = createMailchimpClient({ apiKey: secrets.apiKey, baseUrl, timeoutMs: runtime.timeoutMs, lookup: runtime.lookup });
    const audience: MailchimpAudience = {
      client,
      baseUrl,
      listId: settings.listId,
      statusIfNew: settings.statusIfNew ?? 'subscribed',
      tags: settings.tags ?? [],
      runtime,
      redact,
    };
    const mergeFields = createMailchimpMergeFieldCheck(audience);
    return {
      async check() {
        await runtime.assertTargetAllowed(baseUrl);
        try {
          // https://mailchimp.com/developer/marketing/api/ping/ — answers only with a valid key.
          await client.ping.get();
        } catch (error) {
          throw classifyMailchimpError(error, { redact });
        }
      },
      destination: {
        batchSize: MAILCHIMP_BATCH_SIZE,
        maxInFlight: BATCHES_IN_FLIGHT,
        push: (records) => upsertMailchimpMembers(audience, records, mergeFields),
      },
    };
  },
};
