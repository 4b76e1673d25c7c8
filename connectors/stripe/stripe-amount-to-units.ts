// Currencies whose Stripe amounts are not in hundredths: https://docs.stripe.com/currencies#zero-decimal
// and https://docs.stripe.com/currencies#three-decimal
const ZERO_DECIMAL = new Set([
  'BIF',
  'CLP',
  'DJF',
  'GNF',
  'JPY',
  'KMF',
  'KRW',
  'MGA',
  'PYG',
  'RWF',
  'UGX',
  'VND',
  'VUV',
  'XAF',
  'XOF',
  'XPF',
]);
const THREE_DECIMAL = new Set(['BHD', 'JOD', 'KWD', 'OMR', 'TND']);

/** Stripe's integer minor-unit amount (`amount_paid: 1999`) as a decimal in units (19.99). */
export function stripeAmountToUnits(minorUnits: number, currency: string): number {
  const code = currency.toUpperCase();
  const exponent = ZERO_DECIMAL.has(code) ? 0 : THREE_DECIMAL.has(code) ? 3 : 2;
  // toFixed keeps 1999/100 at 19.99 rather than a binary-fraction neighbour.
  return Number((minorUnits / 10 ** exponent).toFixed(exponent));
}
