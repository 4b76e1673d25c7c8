import { MEMBER_EVENTS, REFERRAL_EVENTS, type DefaultMapping } from '../mapping/default-mapping.js';

/**
 * Merge fields a new audience lacks (it has FNAME and LNAME): the hub adds them as text fields
 * when a record carries them, since Mailchimp drops values for merge fields it does not have.
 */
export const MAILCHIMP_HUB_MERGE_FIELDS = [
  { tag: 'REFCODE', name: 'Referral code' },
  { tag: 'REFURL', name: 'Referral link' },
] as const;

/** Mailchimp without a mapping: audience members by address with the standard merge fields. */
export function mailchimpDefaultMapping(): DefaultMapping {
  return [
    {
      events: MEMBER_EVENTS,
      description: 'The member (advocate) as an audience member, with their own referral code and link',
      mapping: [
        { target: 'email', source: 'member.email' },
        { target: 'FNAME', source: 'member.firstName' },
        { target: 'LNAME', source: 'member.lastName' },
        { target: 'REFCODE', source: 'member.referralCode' },
        { target: 'REFURL', source: 'member.referralUrl' },
      ],
    },
    {
      events: REFERRAL_EVENTS,
      description: 'The referred friend as an audience member (statusIfNew decides their status; use pending for double opt-in)',
      mapping: [
        { target: 'email', source: 'referral.email' },
        { target: 'FNAME', source: 'referral.firstName' },
        { target: 'LNAME', source: 'referral.lastName' },
      ],
    },
  ];
}
