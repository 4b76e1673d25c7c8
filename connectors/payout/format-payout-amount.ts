import { ConnectorError } from '../connector.js';

/**
 * A payout amount in the currency's own minor units, as a fixed-decimal string ("20.00" for USD,
 * "1500" for JPY): what PayPal's `value` takes, and the exact number Tremendous and Tango Card
 * are sent. An amount the currency cannot represent exactly (20.005 USD) is refused rather than
 * rounded, so nobody is paid a cent more or less than the reward says.
 */
export function formatPayoutAmount(amount: string, currency: string): string {
  const digits = new Intl.NumberFormat('en', { style: 'currency', currency }).resolvedOptions().maximumFractionDigits ?? 2;
  const match = /^(\d+)(?:\.(\d+))?$/.exec(amount.trim());
  if (!match) throw new ConnectorError('invalid', `Payout amount "${amount}" is not a positive decimal`);
  const [, whole, fraction = ''] = match;
  const significant = fraction.replace(/0+$/, '');
  if (significant.length > digits) {
    throw new ConnectorError('invalid', `Payout amount ${amount} ${currency} has more decimals than ${currency} allows (${digits})`);
  }
  const formatted = digits === 0 ? whole! : `${whole}.${significant.padEnd(digits, '0')}`;
  if (/^0+(\.0+)?$/.test(formatted)) throw new ConnectorError('invalid', 'A payout amount must be more than zero');
  return formatted.replace(/^0+(?=\d)/, '');
}
