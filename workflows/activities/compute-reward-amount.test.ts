import { expect, it } from 'vitest';
import { computeRewardAmount } from './compute-reward-amount.js';

it('fixed amounts ignore the base; percent needs one and honours the cap', () => {
  expect(computeRewardAmount({ type: 'fixed', value: 20 }, null)).toBe(20);
  expect(computeRewardAmount({ type: 'percent', value: 10 }, 30)).toBe(3);
  expect(computeRewardAmount({ type: 'percent', value: 10, cap: 15 }, 400)).toBe(15);
  expect(computeRewardAmount({ type: 'percent', value: 10 }, null)).toBeNull();
  expect(computeRewardAmount({ type: 'percent', value: 10 }, 0)).toBeNull();
  expect(computeRewardAmount({ type: 'percent', value: 3.333 }, 10)).toBe(0.33);
  expect(computeRewardAmount({ type: 'percent', value: 0.01 }, 1)).toBeNull(); // rounds to zero
});
