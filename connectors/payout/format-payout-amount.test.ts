import { describe, expect, it } from 'vitest';
import { formatPayoutAmount } from './format-payout-amount.js';

describe('formatPayoutAmount', () => {
  it("writes the currency's own number of decimals", () => {
    expect(formatPayoutAmount('20', 'USD')).toBe('20.00');
    expect(formatPayoutAmount('15.5', 'EUR')).toBe('15.50');
    expect(formatPayoutAmount('15.2500', 'USD')).toBe('15.25');
    expect(formatPayoutAmount('1500', 'JPY')).toBe('1500');
    expect(formatPayoutAmount('007.10', 'USD')).toBe('7.10');
  });

  it('refuses an amount the currency cannot carry exactly, zero and garbage', () => {
    expect(() => formatPayoutAmount('20.005', 'USD')).toThrow(/more decimals/);
    expect(() => formatPayoutAmount('1500.5', 'JPY')).toThrow(/more decimals/);
    expect(() => formatPayoutAmount('0', 'USD')).toThrow(/more than zero/);
    expect(() => formatPayoutAmount('-5', 'USD')).toThrow(/positive decimal/);
    expect(() => formatPayoutAmount('1e3', 'USD')).toThrow(/positive decimal/);
  });
});
