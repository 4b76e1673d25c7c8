import type { MappingEntry } from '../mapping/mapping-entry-schema.js';
import { MEMBER_EVENTS, REFERRAL_EVENTS, type DefaultMapping } from '../mapping/default-mapping.js';

export interface SalesforceMappingSettings {
  object: 'Lead' | 'Contact';
  externalIdField: string;
}

// Salesforce refuses a Lead without LastName and Company, and a Contact without LastName; the
// hub often knows neither (a member may give only a first name). The value Salesforce's own
// tools use for an unknown required field keeps such records from being refused.
const NOT_PROVIDED = '[not provided]';

function person(root: 'member' | 'referral', settings: Partial<SalesforceMappingSettings>): MappingEntry[] {
  const entries: MappingEntry[] = [
    // Keyed by address, like the other CRMs: one person is one Lead or Contact, whether they
    // are an advocate, a referred friend, or both.
    { target: settings.externalIdField ?? '<externalIdField>', source: `${root}.email` },
    { target: 'Email', source: `${root}.email` },
    { target: 'FirstName', source: `${root}.firstName` },
    { target: 'LastName', source: `${root}.lastName`, empty: NOT_PROVIDED },
  ];
  if (root === 'referral') entries.push({ target: 'Phone', source: 'referral.phone' });
  // A conversion form may collect the company as a custom field; Contacts have no Company.
  if ((settings.object ?? 'Lead') === 'Lead')
    entries.push({ target: 'Company', source: `${root}.customFields.company`, empty: NOT_PROVIDED });
  return entries;
}

/**
 * Salesforce without a mapping: the object's standard fields, upserted by the configured
 * External ID field, which holds the person's email address (so it must be a Text or Email
 * field marked External ID and Unique).
 */
export function salesforceDefaultMapping(settings: Partial<SalesforceMappingSettings> = {}): DefaultMapping {
  const object = settings.object ?? 'Lead';
  return [
    { events: MEMBER_EVENTS, description: `The member (advocate) as a ${object}`, mapping: person('member', settings) },
    { events: REFERRAL_EVENTS, description: `The referred friend as a ${object}`, mapping: person('referral', settings) },
  ];
}
