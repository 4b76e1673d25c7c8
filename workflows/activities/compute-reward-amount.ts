import type { RuleAmount } from '../../schema/tables/reward-rules.js';

/**
 * Money for one rule firing. Fixed rules ignore the base; percent rules need one (the event's
 * or conversion's amount) and are capped. Rounded to cents; null means "nothing to reward".
 */
export function computeRewardAmount(amount: RuleAmount, base: number | null | undefined): number | null {
  let value: number;
  if (amount.type === 'fixed') value = amount.value;
  else {
    if (base === null || base === undefined || !(base > 0)) return null;
    value = (base * amount.value) / 100;
    if (amount.cap !== undefined) value = Math.min(value, amount.cap);
  }
  const rounded = Math.round(value * 100) / 100;
  return rounded > 0 ? rounded : null;
}
