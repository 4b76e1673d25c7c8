'use strict';

const { hookTrigger } = require('../lib/hook-trigger');
const samples = require('../lib/samples');

module.exports = hookTrigger({
  key: 'new_member',
  noun: 'Member',
  label: 'New Member',
  description: 'Triggers instantly when someone joins a referral program, with their referral code and share link.',
  event: 'member.created',
  idField: 'memberId',
  sampleData: samples.member,
  outputFields: [{ key: 'memberId', label: 'Member ID' }, ...samples.memberOutputFields],
});
