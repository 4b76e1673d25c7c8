import { z } from 'zod';
import { ConnectorError } from '../connector.js';
import { HUBSPOT_HUB_PROPERTIES } from './hubspot-default-mapping.js';
import { sendHubSpotRequest } from './send-hubspot-request.js';
import { propertyName } from './to-hubspot-contact.js';
import type { HubSpotAccount } from './upsert-hubspot-contacts.js';

const PROPERTIES_PATH = '/crm/v3/properties/contacts';
// Every portal has this group; it is where HubSpot puts its own contact fields.
const GROUP_NAME = 'contactinformation';

const listSchema = z.looseObject({ results: z.array(z.looseObject({ name: z.string() })) });

export interface HubSpotPropertyCheck {
  /** Makes sure the hub's own properties among `names` exist, creating the missing ones once. */
  ensure(names: Iterable<string>): Promise<void>;
}

/**
 * Creates the hub's own contact properties (referral status, code, link) in the portal the first
 * time a record carries them: HubSpot refuses a value for a property that does not exist, so a
 * connector created with credentials only would otherwise fail every contact. Needs the
 * crm.schemas.contacts.read and .write scopes; properties of the user's own mappings are theirs
 * to create and are never touched.
 */
export function createHubSpotPropertyCheck(account: HubSpotAccount): HubSpotPropertyCheck {
  const ours = new Map<string, { label: string; description: string }>(
    HUBSPOT_HUB_PROPERTIES.map((property) => [propertyName(property.name, account.propertyPrefix), property]),
  );
  const known = new Set<string>();
  let existing: Promise<Set<string>> | undefined;

  // https://developers.hubspot.com/docs/api/crm/properties — GET lists every contact property.
  const listExisting = () => {
    existing ??= sendHubSpotRequest(account.redact, () => account.client.get(PROPERTIES_PATH)).then((response) => {
      const parsed = listSchema.safeParse(response.data);
      if (!parsed.success)
        throw new ConnectorError('transient', 'HubSpot answered the contact property list with a body the hub cannot read');
      return new Set(parsed.data.results.map((property) => property.name));
    });
    // A failed look-up is asked again on the next push.
    existing.catch(() => {
      existing = undefined;
    });
    return existing;
  };

  return {
    async ensure(names) {
      const wanted = [...new Set(names)].filter((name) => ours.has(name) && !known.has(name));
      if (wanted.length === 0) return;
      await account.runtime.assertTargetAllowed(account.baseUrl);
      const present = await listExisting();
      for (const name of wanted) {
        if (!present.has(name)) {
          const { label, description } = ours.get(name)!;
          const body = { name, label, description, type: 'string', fieldType: 'text', groupName: GROUP_NAME };
          try {
            await sendHubSpotRequest(account.redact, () => account.client.post(PROPERTIES_PATH, body));
          } catch (error) {
            // Another worker created it meanwhile: that is what we wanted.
            if (!(error instanceof ConnectorError && error.status === 409)) throw error;
          }
          present.add(name);
        }
        known.add(name);
      }
    },
  };
}
