import { MEMBER_EVENTS, REFERRAL_EVENTS, type DefaultMapping } from '../mapping/default-mapping.js';

/**
 * The contact properties the hub creates in a portal when a record carries them (HubSpot refuses
 * values for properties that do not exist). Custom names carry a prefix of their own so they
 * never collide with a portal's properties; `propertyPrefix` is prepended on top when set.
 */
export const HUBSPOT_HUB_PROPERTIES = [
  {
    name: 'referral_hub_status',
    label: 'Referral status',
    description: 'Status of the referral that brought this contact (pending, qualified, approved, denied), set by Referral Hub',
  },
  { name: 'referral_hub_code', label: 'Referral code', description: "The contact's own referral code, set by Referral Hub" },
  { name: 'referral_hub_link', label: 'Referral link', description: "The contact's own referral link, set by Referral Hub" },
] as const;

/** HubSpot without a mapping: contacts by email, default properties plus the hub's own three. */
export function hubspotDefaultMapping(): DefaultMapping {
  return [
    {
      events: MEMBER_EVENTS,
      description: 'The member (advocate) as a contact, with their own referral code and link',
      mapping: [
        { target: 'email', source: 'member.email' },
        { target: 'firstname', source: 'member.firstName' },
        { target: 'lastname', source: 'member.lastName' },
        { target: 'referral_hub_code', source: 'member.referralCode' },
        { target: 'referral_hub_link', source: 'member.referralUrl' },
      ],
    },
    {
      events: REFERRAL_EVENTS,
      description: 'The referred friend as a contact, with the status of their referral',
      mapping: [
        { target: 'email', source: 'referral.email' },
        { target: 'firstname', source: 'referral.firstName' },
        { target: 'lastname', source: 'referral.lastName' },
        { target: 'phone', source: 'referral.phone' },
        { target: 'referral_hub_status', source: 'referral.status' },
      ],
    },
  ];
}
