'use strict';

const { hookTrigger } = require('../lib/hook-trigger');
const samples = require('../lib/samples');

module.exports = hookTrigger({
  key: 'new_reward',
  noun: 'Reward',
  label: 'New Reward',
  description: 'Triggers instantly when a reward rule grants a reward (cash, coupon, …) to a referrer or a friend.',
  event: 'reward.created',
  idField: 'rewardId',
  sampleData: samples.reward,
  outputFields: [{ key: 'rewardId', label: 'Reward ID' }, ...samples.rewardOutputFields],
});
