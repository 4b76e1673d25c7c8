import { describe, expect, it } from 'vitest';
import { memberContext, referralContext } from '../../test/support/default-mapping-contexts.js';
import { expectWellFormedDefault, mapByDefault } from '../../test/support/default-mapping-check.js';
import { mailchimpConnector } from './mailchimp-connector.js';
import { toMailchimpMember } from './to-mailchimp-member.js';

describe('Mailchimp default mapping', () => {
  const defaults = mailchimpConnector.defaultMapping!();

  it('is a mapping a user could write, for members and referrals only', () => {
    expectWellFormedDefault(defaults);
  });

  it('sends a member with FNAME, REFCODE and REFURL (no LNAME the hub does not have)', () => {
    const data = mapByDefault(defaults, 'member.created', memberContext);
    expect(toMailchimpMember(data)).toEqual({
      ok: true,
      member: {
        email_address: 'ann@example.com',
        merge_fields: { FNAME: 'Ann', REFCODE: 'ANN4K2', REFURL: 'https://refer.example/r/ANN4K2' },
        tags: [],
      },
    });
  });

  it("sends a referral as the referred friend, without the referrer's code or link", () => {
    const data = mapByDefault(defaults, 'referral.created', referralContext);
    expect(toMailchimpMember(data)).toEqual({
      ok: true,
      member: { email_address: 'bob@example.com', merge_fields: { FNAME: 'Bob', LNAME: 'Lee' }, tags: [] },
    });
  });
});
