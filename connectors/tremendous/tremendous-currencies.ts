import { ListRewards200ResponseRewardsInnerValueCurrencyCodeEnum as CurrencyCodes } from 'tremendous';

export type TremendousCurrency = (typeof CurrencyCodes)[keyof typeof CurrencyCodes];

/**
 * The reward currencies Tremendous' API accepts, as its published schema (which the SDK is
 * generated from) lists them. Whether a campaign's products take a currency is Tremendous' call:
 * it refuses the order if not.
 */
export const TREMENDOUS_CURRENCIES: readonly TremendousCurrency[] = Object.values(CurrencyCodes);

const KNOWN = new Set<string>(TREMENDOUS_CURRENCIES);

export function isTremendousCurrency(currency: string): currency is TremendousCurrency {
  return KNOWN.has(currency);
}
