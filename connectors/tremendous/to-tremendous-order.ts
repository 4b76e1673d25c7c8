import type { CreateOrderRequest } from 'tremendous';
import { ConnectorError, type PayoutRequest } from '../connector.js';
import { formatPayoutAmount } from '../payout/format-payout-amount.js';
import { isTremendousCurrency } from './tremendous-currencies.js';

export interface TremendousOrderSettings {
  fundingSourceId: string;
  campaignId?: string;
  products?: readonly string[];
  deliveryMethod: 'EMAIL';
}

/**
 * The order for one payout. It is built only from the request and the settings, never from the
 * clock or a counter: Tremendous answers a repeated external_id with the first order only when
 * the payload is the same, and with 409 when anything differs.
 */
export function toTremendousOrder(request: PayoutRequest, settings: TremendousOrderSettings): CreateOrderRequest {
  const currency = request.currency;
  if (!isTremendousCurrency(currency)) throw new ConnectorError('invalid', `Tremendous does not pay rewards in ${currency}`);
  const denomination = Number(formatPayoutAmount(request.amount, currency));
  const name = [request.recipient.firstName, request.recipient.lastName]
    .map((part) => part?.trim())
    .filter(Boolean)
    .join(' ');
  return {
    external_id: request.payoutId,
    payment: { funding_source_id: settings.fundingSourceId },
    reward: {
      ...(settings.campaignId ? { campaign_id: settings.campaignId } : {}),
      ...(settings.products ? { products: [...settings.products] } : {}),
      value: { denomination, currency_code: currency },
      recipient: { ...(name ? { name } : {}), email: request.recipient.email },
      delivery: { method: settings.deliveryMethod, ...(request.note ? { meta: { message: request.note } } : {}) },
    },
  };
}
