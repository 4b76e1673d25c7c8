'use strict';

const { hookTrigger } = require('../lib/hook-trigger');
const samples = require('../lib/samples');

module.exports = hookTrigger({
  key: 'reward_paid',
  noun: 'Reward',
  label: 'Reward Paid',
  description: 'Triggers instantly when a reward has been paid out (by PayPal, Tremendous, Tango Card, or marked paid by hand).',
  event: 'reward.paid',
  idField: 'rewardId',
  sampleData: {
    ...samples.reward,
    status: 'paid',
    payoutId: samples.payout.id,
    payoutProvider: 'paypal',
    providerReference: '5UXD2E8A7EBQJ/8AT25DJ9G9YS2',
    updatedAt: '2025-01-15T10:31:12.000Z',
  },
  outputFields: [
    { key: 'rewardId', label: 'Reward ID' },
    ...samples.rewardOutputFields,
    { key: 'payoutId', label: 'Payout ID' },
    { key: 'payoutProvider', label: 'Paid Through' },
    { key: 'providerReference', label: 'Provider Reference' },
    { key: 'updatedAt', label: 'Paid At', type: 'datetime' },
  ],
});
