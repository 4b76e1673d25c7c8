import { MEMBER_EVENTS, REFERRAL_EVENTS, type DefaultMapping } from '../mapping/default-mapping.js';

/** Sailthru without a mapping: profiles by email, everything else as profile vars. */
export function sailthruDefaultMapping(): DefaultMapping {
  return [
    {
      events: MEMBER_EVENTS,
      description: 'The member (advocate) as a profile, with their own referral code and link as vars',
      mapping: [
        { target: 'email', source: 'member.email' },
        { target: 'first_name', source: 'member.firstName' },
        { target: 'last_name', source: 'member.lastName' },
        { target: 'referral_code', source: 'member.referralCode' },
        { target: 'referral_url', source: 'member.referralUrl' },
      ],
    },
    {
      events: REFERRAL_EVENTS,
      description: 'The referred friend as a profile, with the status of their referral as a var',
      mapping: [
        { target: 'email', source: 'referral.email' },
        { target: 'first_name', source: 'referral.firstName' },
        { target: 'last_name', source: 'referral.lastName' },
        { target: 'phone', source: 'referral.phone' },
        { target: 'referral_status', source: 'referral.status' },
      ],
    },
  ];
}
