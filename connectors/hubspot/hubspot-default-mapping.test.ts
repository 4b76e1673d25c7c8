import { describe, expect, it } from 'vitest';
import { memberContext, referralContext } from '../../test/support/default-mapping-contexts.js';
import { expectWellFormedDefault, mapByDefault } from '../../test/support/default-mapping-check.js';
import { hubspotConnector } from './hubspot-connector.js';
import { toHubSpotContact } from './to-hubspot-contact.js';

describe('HubSpot default mapping', () => {
  const defaults = hubspotConnector.defaultMapping!();

  it('is a mapping a user could write, for members and referrals only', () => {
    expectWellFormedDefault(defaults);
  });

  it('sends a member as a contact with their own code and link, leaving out what the hub does not know', () => {
    const data = mapByDefault(defaults, 'member.updated', memberContext);
    expect(data).toEqual({
      email: 'ann@example.com',
      firstname: 'Ann',
      referral_hub_code: 'ANN4K2',
      referral_hub_link: 'https://refer.example/r/ANN4K2',
    });
    expect(toHubSpotContact(data)).toEqual({
      ok: true,
      contact: {
        email: 'ann@example.com',
        properties: { firstname: 'Ann', referral_hub_code: 'ANN4K2', referral_hub_link: 'https://refer.example/r/ANN4K2' },
      },
    });
  });

  it('sends a referral as the referred friend with the referral status, not the referrer', () => {
    const data = mapByDefault(defaults, 'referral.status_changed', referralContext);
    expect(data).toEqual({
      email: 'bob@example.com',
      firstname: 'Bob',
      lastname: 'Lee',
      phone: '+1 555 0100',
      referral_hub_status: 'pending',
    });
    // With a prefix, the hub's properties are prefixed and HubSpot's own keep their names.
    expect(toHubSpotContact(data, 'acme_')).toMatchObject({
      ok: true,
      contact: { properties: { lastname: 'Lee', phone: '+1 555 0100', acme_referral_hub_status: 'pending' } },
    });
  });
});
