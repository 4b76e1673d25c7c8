'use strict';

const { hookTrigger } = require('../lib/hook-trigger');
const samples = require('../lib/samples');

module.exports = hookTrigger({
  key: 'new_referral',
  noun: 'Referral',
  label: 'New Referral',
  description: 'Triggers instantly when a referred friend converts (a new referral is recorded).',
  event: 'referral.created',
  idField: 'referralId',
  sampleData: samples.referral,
  outputFields: [{ key: 'referralId', label: 'Referral ID' }, ...samples.referralOutputFields],
});
