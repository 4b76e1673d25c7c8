'use strict';

const zapier = require('zapier-platform-core');
const { version } = require('./package.json');
const authentication = require('./authentication');
const { addApiKey } = require('./lib/add-api-key');
const { handleHubErrors } = require('./lib/hub-errors');

const newMember = require('./triggers/new-member');
const newReferral = require('./triggers/new-referral');
const referralStatusChanged = require('./triggers/referral-status-changed');
const newReward = require('./triggers/new-reward');
const rewardPaid = require('./triggers/reward-paid');
const payoutFailed = require('./triggers/payout-failed');
const programList = require('./triggers/program-list');
const createMember = require('./creates/create-member');
const createConversion = require('./creates/create-conversion');
const addBusinessEvent = require('./creates/add-business-event');
const enrolCustomer = require('./creates/enrol-customer');
const findReferral = require('./searches/find-referral');

const byKey = (...definitions) => Object.fromEntries(definitions.map((d) => [d.key, d]));

module.exports = {
  version,
  platformVersion: zapier.version,
  authentication,
  beforeRequest: [addApiKey],
  afterResponse: [handleHubErrors],
  triggers: byKey(newMember, newReferral, referralStatusChanged, newReward, rewardPaid, payoutFailed, programList),
  creates: byKey(createMember, createConversion, addBusinessEvent, enrolCustomer),
  searches: byKey(findReferral),
};
