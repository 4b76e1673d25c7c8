/**
 * Mapping contexts shaped like the sync's (outbound-records): a member event carries the member,
 * a referral event the referral and its member. Shared by the default mapping tests of each kind.
 */
export const member = {
  id: 'mem_1',
  programId: 'prg_1',
  email: 'ann@example.com',
  firstName: 'Ann',
  lastName: null,
  externalId: null,
  referralCode: 'ANN4K2',
  referralUrl: 'https://refer.example/r/ANN4K2',
  customFields: {},
  createdAt: '2025-01-02T03:04:05.000Z',
  updatedAt: '2025-01-02T03:04:05.000Z',
};

export const referral = {
  id: 'ref_1',
  programId: 'prg_1',
  memberId: 'mem_1',
  email: 'bob@example.com',
  firstName: 'Bob',
  lastName: 'Lee',
  phone: '+1 555 0100',
  externalId: null,
  status: 'pending',
  source: 'checkout',
  amount: 120,
  currency: 'USD',
  orderId: 'o-1',
  fraudFlags: [],
  customFields: { company: 'Lee & Co' },
  createdAt: '2025-01-02T03:04:05.000Z',
  updatedAt: '2025-01-02T03:04:05.000Z',
};

const event = (type: string) => ({ id: 'evt_1', type, timestamp: '2025-01-02T03:04:05.000Z' });

export const memberContext = { event: event('member.created'), member };
export const referralContext = { event: event('referral.created'), referral, member };

/** Event types no default sends: deletions, business activity, rewards. */
export const UNSENT_EVENT_TYPES = [
  'member.deleted',
  'referral.activity',
  'reward.created',
  'reward.approved',
  'reward.paid',
  'connector.failing',
];
