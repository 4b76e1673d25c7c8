'use strict';

const { hubUrl } = require('../lib/hub-url');
const { programField } = require('../lib/program-field');
const samples = require('../lib/samples');

/** GET /api/v1/referrals?programId=&email=: a program has at most one referral per email. */
const perform = async (z, bundle) => {
  const response = await z.request({
    url: hubUrl(z, bundle, '/api/v1/referrals'),
    params: { programId: bundle.inputData.programId, email: String(bundle.inputData.email || '').trim(), limit: '1' },
  });
  return response.data.data.slice(0, 1); // Zapier uses the first item of a search result
};

module.exports = {
  key: 'find_referral',
  noun: 'Referral',
  display: {
    label: 'Find Referral',
    description: "Finds a program's referral by the referred friend's email.",
  },
  operation: {
    inputFields: [programField, { key: 'email', label: 'Friend Email', required: true }],
    perform,
    sample: samples.referral,
    outputFields: [{ key: 'id', label: 'Referral ID' }, ...samples.referralOutputFields],
  },
};
