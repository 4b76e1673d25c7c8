import { describe, expect, it } from 'vitest';
import { memberContext, referralContext } from '../../test/support/default-mapping-contexts.js';
import { expectWellFormedDefault, mapByDefault } from '../../test/support/default-mapping-check.js';
import { salesforceConnector } from './salesforce-connector.js';

describe('Salesforce default mapping', () => {
  const lead = salesforceConnector.defaultMapping!({
    loginUrl: 'https://acme.my.salesforce.com',
    object: 'Lead',
    externalIdField: 'Referral_Email__c',
  });
  const contact = salesforceConnector.defaultMapping!({
    loginUrl: 'https://acme.my.salesforce.com',
    object: 'Contact',
    externalIdField: 'Hub_Email__c',
  });

  it('is a mapping a user could write, for members and referrals only', () => {
    expectWellFormedDefault(lead);
    expectWellFormedDefault(contact);
    // Described without settings (GET /api/v1/connector-kinds): the External ID target is named.
    expect(salesforceConnector.defaultMapping!()[0]!.mapping[0]).toEqual({ target: '<externalIdField>', source: 'member.email' });
  });

  it("fills a Lead's required LastName and Company when the hub has no value, keyed by email", () => {
    expect(mapByDefault(lead, 'member.created', memberContext)).toEqual({
      Referral_Email__c: 'ann@example.com',
      Email: 'ann@example.com',
      FirstName: 'Ann',
      LastName: '[not provided]',
      Company: '[not provided]',
    });
    expect(mapByDefault(lead, 'referral.status_changed', referralContext)).toEqual({
      Referral_Email__c: 'bob@example.com',
      Email: 'bob@example.com',
      FirstName: 'Bob',
      LastName: 'Lee',
      Phone: '+1 555 0100',
      Company: 'Lee & Co',
    });
  });

  it('sends a Contact without Company, which Contacts do not have', () => {
    expect(mapByDefault(contact, 'referral.created', referralContext)).toEqual({
      Hub_Email__c: 'bob@example.com',
      Email: 'bob@example.com',
      FirstName: 'Bob',
      LastName: 'Lee',
      Phone: '+1 555 0100',
    });
  });
});
