import { describe, expect, it } from 'vitest';
import { memberContext, referralContext } from '../../test/support/default-mapping-contexts.js';
import { expectWellFormedDefault, mapByDefault } from '../../test/support/default-mapping-check.js';
import { sailthruConnector } from './sailthru-connector.js';

describe('Sailthru default mapping', () => {
  const defaults = sailthruConnector.defaultMapping!();

  it('is a mapping a user could write, for members and referrals only', () => {
    expectWellFormedDefault(defaults);
  });

  it('sends the profile key and the rest as vars', () => {
    expect(mapByDefault(defaults, 'member.updated', memberContext)).toEqual({
      email: 'ann@example.com',
      first_name: 'Ann',
      referral_code: 'ANN4K2',
      referral_url: 'https://refer.example/r/ANN4K2',
    });
    expect(mapByDefault(defaults, 'referral.created', referralContext)).toEqual({
      email: 'bob@example.com',
      first_name: 'Bob',
      last_name: 'Lee',
      phone: '+1 555 0100',
      referral_status: 'pending',
    });
  });
});
