import type { AxiosResponse } from 'axios';
import { z } from 'zod';
import { ConnectorError } from '../connector.js';
import { sendHubSpotRequest } from './send-hubspot-request.js';
import { HUBSPOT_BATCH_SIZE, type HubSpotAccount } from './upsert-hubspot-contacts.js';

// https://developers.hubspot.com/docs/api/crm/deals — GET /crm/v3/objects/deals/{dealId}?associations=contacts
// lists the ids of the deal's contacts under associations.contacts.results.
const dealSchema = z.looseObject({
  associations: z
    .looseObject({
      contacts: z.looseObject({ results: z.array(z.looseObject({ id: z.union([z.string(), z.number()]).transform(String) })) }).optional(),
    })
    .optional(),
});

// https://developers.hubspot.com/docs/api/crm/contacts — POST /crm/v3/objects/contacts/batch/read
const contactsSchema = z.looseObject({
  results: z.array(z.looseObject({ id: z.string(), properties: z.looseObject({ email: z.string().nullish() }) })),
});

/**
 * The emails of a deal's contacts: HubSpot's deal webhooks carry only the deal id, so the
 * contact behind a stage change has to be looked up. Needs the crm.objects.deals.read scope
 * besides the contact scopes. A deal with no contacts (or contacts without email) gives [].
 */
export async function fetchDealContactEmails(account: HubSpotAccount, dealId: string): Promise<string[]> {
  if (!/^\d{1,20}$/.test(dealId)) throw new ConnectorError('invalid', `"${dealId}" is not a HubSpot deal id`);
  await account.runtime.assertTargetAllowed(account.baseUrl);
  const call = async <T>(request: () => Promise<AxiosResponse>, schema: z.ZodType<T>, what: string): Promise<T> => {
    const response = await sendHubSpotRequest(account.redact, request);
    const parsed = schema.safeParse(response.data);
    if (!parsed.success) throw new ConnectorError('transient', `HubSpot answered ${what} with a body the hub cannot read`);
    return parsed.data;
  };

  const deal = await call(
    () => account.client.get(`/crm/v3/objects/deals/${dealId}`, { params: { associations: 'contacts' } }),
    dealSchema,
    'the deal',
  );
  const ids = [...new Set((deal.associations?.contacts?.results ?? []).map((r) => r.id))];
  const emails: string[] = [];
  for (let i = 0; i < ids.length; i += HUBSPOT_BATCH_SIZE) {
    const inputs = ids.slice(i, i + HUBSPOT_BATCH_SIZE).map((id) => ({ id }));
    const contacts = await call(
      () => account.client.post('/crm/v3/objects/contacts/batch/read', { properties: ['email'], inputs }),
      contactsSchema,
      'the contacts',
    );
    for (const c of contacts.results) if (c.properties.email) emails.push(c.properties.email);
  }
  return emails;
}
