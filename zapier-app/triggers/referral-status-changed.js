'use strict';

const { hookTrigger } = require('../lib/hook-trigger');
const samples = require('../lib/samples');

module.exports = hookTrigger({
  key: 'referral_status_changed',
  noun: 'Referral',
  label: 'Referral Status Changed',
  description: 'Triggers instantly when a referral becomes qualified, approved or denied.',
  event: 'referral.status_changed',
  idField: 'referralId',
  sampleData: { ...samples.referral, status: 'qualified', previousStatus: 'pending', updatedAt: '2025-01-20T09:00:00.000Z' },
  outputFields: [
    { key: 'referralId', label: 'Referral ID' },
    { key: 'previousStatus', label: 'Previous Status' },
    ...samples.referralOutputFields,
  ],
});
