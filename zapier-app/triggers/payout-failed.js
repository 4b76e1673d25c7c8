'use strict';

const { hookTrigger } = require('../lib/hook-trigger');
const samples = require('../lib/samples');

module.exports = hookTrigger({
  key: 'payout_failed',
  noun: 'Payout',
  label: 'Payout Failed',
  description: 'Triggers instantly when a payout could not be paid (refused by the provider, bad recipient, out of funds, …).',
  event: 'payout.failed',
  idField: 'payoutId',
  sampleData: {
    ...samples.payout,
    status: 'failed',
    failureCode: 'insufficient_funds',
    failureReason: 'Sender does not have sufficient funds. Please add funds and retry.',
    updatedAt: '2025-01-15T10:30:03.000Z',
  },
  outputFields: [{ key: 'payoutId', label: 'Payout ID' }, ...samples.payoutOutputFields],
});
