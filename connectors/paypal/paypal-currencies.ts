import { ConnectorError } from '../connector.js';
import { formatPayoutAmount } from '../payout/format-payout-amount.js';

/**
 * Currencies PayPal accepts for payments and balances. BRL, CNY and MYR are held only by
 * in-country accounts, so PayPal may refuse a payout in them from an account elsewhere.
 */
export const PAYPAL_CURRENCIES = [
  'AUD',
  'BRL',
  'CAD',
  'CNY',
  'CZK',
  'DKK',
  'EUR',
  'HKD',
  'HUF',
  'ILS',
  'JPY',
  'MYR',
  'MXN',
  'TWD',
  'NZD',
  'NOK',
  'PHP',
  'PLN',
  'GBP',
  'SGD',
  'SEK',
  'CHF',
  'THB',
  'USD',
] as const;

const SUPPORTED = new Set<string>(PAYPAL_CURRENCIES);
// PayPal takes no decimals at all for these, although ISO 4217 gives HUF and TWD two (and the
// shared formatter, following the platform's currency data, still writes TWD with cents).
const ZERO_DECIMAL = new Set(['HUF', 'JPY', 'TWD']);

/** The `amount.value` PayPal takes; refuses a currency PayPal cannot pay in before anything is sent. */
export function formatPayPalAmount(amount: string, currency: string): string {
  if (!SUPPORTED.has(currency)) throw new ConnectorError('invalid', `PayPal does not pay out in ${currency}`);
  const value = formatPayoutAmount(amount, currency);
  if (!ZERO_DECIMAL.has(currency)) return value;
  const [whole, fraction = ''] = value.split('.');
  if (/[1-9]/.test(fraction)) throw new ConnectorError('invalid', `PayPal pays ${currency} in whole units only, not ${amount}`);
  return whole!;
}
