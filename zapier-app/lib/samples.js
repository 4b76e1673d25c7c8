'use strict';

// Static examples in the hub's public JSON, shown in the Zap editor when an
// account has no real data yet.
const member = {
  id: 'mem_01J9Z7X2B5C8D1E4',
  programId: 'prg_01J9Z6W1A4B7C0D3',
  email: 'ann@example.com',
  firstName: 'Ann',
  lastName: 'Lee',
  externalId: 'u-1',
  referralCode: 'ANN4K2',
  referralUrl: 'https://referrals.example.com/r/ANN4K2',
  customFields: { plan: 'pro' },
  createdAt: '2025-01-15T10:30:00.000Z',
  updatedAt: '2025-01-15T10:30:00.000Z',
};

const referral = {
  id: 'ref_01J9Z8P3M5N7Q9R2',
  programId: 'prg_01J9Z6W1A4B7C0D3',
  memberId: 'mem_01J9Z7X2B5C8D1E4',
  email: 'bob@example.com',
  firstName: 'Bob',
  lastName: null,
  phone: null,
  externalId: null,
  status: 'pending',
  source: 'checkout',
  amount: 120,
  currency: 'USD',
  orderId: 'o-1',
  fraudFlags: [],
  customFields: {},
  createdAt: '2025-01-15T10:30:00.000Z',
  updatedAt: '2025-01-15T10:30:00.000Z',
};

const reward = {
  id: 'rwd_01J9Z9R4S6T8U0V2',
  programId: 'prg_01J9Z6W1A4B7C0D3',
  ruleId: 'rul_01J9Z6W1A4B7C0D4',
  referralId: 'ref_01J9Z8P3M5N7Q9R2',
  recipient: 'member',
  memberId: 'mem_01J9Z7X2B5C8D1E4',
  amount: 20,
  currency: 'USD',
  kind: 'cash',
  status: 'approved',
  trigger: 'conversion',
  businessEventId: null,
  holdUntil: null,
  payoutProvider: null,
  providerReference: null,
  createdAt: '2025-01-15T10:30:01.000Z',
  updatedAt: '2025-01-15T10:30:01.000Z',
};

const memberOutputFields = [
  { key: 'programId', label: 'Program ID' },
  { key: 'email', label: 'Email' },
  { key: 'firstName', label: 'First Name' },
  { key: 'lastName', label: 'Last Name' },
  { key: 'externalId', label: 'External ID' },
  { key: 'referralCode', label: 'Referral Code' },
  { key: 'referralUrl', label: 'Referral Link' },
  { key: 'createdAt', label: 'Created At', type: 'datetime' },
];

const referralOutputFields = [
  { key: 'programId', label: 'Program ID' },
  { key: 'memberId', label: 'Referrer Member ID' },
  { key: 'email', label: 'Friend Email' },
  { key: 'firstName', label: 'Friend First Name' },
  { key: 'lastName', label: 'Friend Last Name' },
  { key: 'phone', label: 'Friend Phone' },
  { key: 'externalId', label: 'Friend External ID' },
  { key: 'status', label: 'Status' },
  { key: 'source', label: 'Source' },
  { key: 'amount', label: 'Amount', type: 'number' },
  { key: 'currency', label: 'Currency' },
  { key: 'orderId', label: 'Order ID' },
  { key: 'createdAt', label: 'Created At', type: 'datetime' },
  { key: 'updatedAt', label: 'Updated At', type: 'datetime' },
];

const rewardOutputFields = [
  { key: 'programId', label: 'Program ID' },
  { key: 'ruleId', label: 'Reward Rule ID' },
  { key: 'referralId', label: 'Referral ID' },
  { key: 'memberId', label: 'Referrer Member ID' },
  { key: 'recipient', label: 'Recipient (member or referral)' },
  { key: 'amount', label: 'Amount', type: 'number' },
  { key: 'currency', label: 'Currency' },
  { key: 'kind', label: 'Kind (cash, coupon, …)' },
  { key: 'status', label: 'Status' },
  { key: 'trigger', label: 'Triggered By' },
  { key: 'holdUntil', label: 'Held Until', type: 'datetime' },
  { key: 'createdAt', label: 'Created At', type: 'datetime' },
];

module.exports = { member, referral, reward, memberOutputFields, referralOutputFields, rewardOutputFields };
