import { z } from 'zod';
import type { ConnectorDefinition } from '../connector.js';
import { classifyMailchimpError } from './classify-mailchimp-error.js';
import { createMailchimpClient } from './create-mailchimp-client.js';
import { createMailchimpMergeFieldCheck } from './ensure-mailchimp-merge-fields.js';
import { mailchimpDefaultMapping } from './mailchimp-default-mapping.js';
import { MAILCHIMP_BATCH_SIZE, upsertMailchimpMembers, type MailchimpAudience } from './upsert-mailchimp-members.js';

// `<key>-<dc>`: the suffix names the data centre that serves the account (…-us19 → us19).
const API_KEY = /^[A-Za-z0-9]+-([a-z]+[0-9]+)$/;
// https://mailchimp.com/developer/marketing/docs/fundamentals/ — 10 simultaneous connections per
// key is Mailchimp's only published limit (no per-second quota); the 11th is answered 429.
const MAILCHIMP_MAX_CONNECTIONS = 10;

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
    concurrency: z
      .number()
      .int({ error: 'concurrency must be a whole number of connections' })
      .min(1, { error: 'concurrency must be at least 1' })
      .max(MAILCHIMP_MAX_CONNECTIONS, {
        error: `concurrency must be at most ${MAILCHIMP_MAX_CONNECTIONS}: Mailchimp refuses more than ${MAILCHIMP_MAX_CONNECTIONS} simultaneous connections per API key (HTTP 429)`,
      })
      .default(MAILCHIMP_MAX_CONNECTIONS)
      .describe(
        `Simultaneous requests to Mailchimp (batches and tag calls together), at most ${MAILCHIMP_MAX_CONNECTIONS} per API key; lower it when other integrations use the same key`,
      ),
  })
  .strict();

export const mailchimpSecretsSchema = z
  .object({
    apiKey: z.string().regex(API_KEY, { error: 'apiKey must look like <key>-<dc>, e.g. …-us19' }).describe('Marketing API key'),
  })
  .strict();

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
    // Every call of this connector (batches, tags, merge fields) shares `concurrency` connections,
    // so batches in flight and their tag calls together never go over it.
    const client = createMailchimpClient({
      apiKey: secrets.apiKey,
      baseUrl,
      timeoutMs: runtime.timeoutMs,
      lookup: runtime.lookup,
      maxConnections: settings.concurrency,
    });
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
        // Safe above 1: batch subscribe with update_existing is an upsert by address.
        maxInFlight: settings.concurrency,
        push: (records) => upsertMailchimpMembers(audience, records, mergeFields),
      },
    };
  },
};
