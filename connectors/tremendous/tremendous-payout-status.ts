import { ConnectorError, type PayoutOutcome } from '../connector.js';
import { classifyTremendousError } from './classify-tremendous-error.js';
import { sendTremendousRequest } from './send-tremendous-request.js';
import type { TremendousAccount } from './tremendous-account.js';
import { readTremendousOrder, tremendousOrderOutcome } from './tremendous-order-outcome.js';

/**
 * The payout's current state from its order. The reference pay returned is "<orderId>/<rewardId>";
 * without one (an answer lost before it was recorded), Tremendous finds the order by the payout
 * id, which is its external_id.
 */
export async function tremendousPayoutStatus(
  account: TremendousAccount,
  payoutId: string,
  providerReference: string,
): Promise<PayoutOutcome> {
  const orderId = providerReference.split('/')[0] || payoutId;
  await account.runtime.assertTargetAllowed(account.baseUrl);
  const response = await sendTremendousRequest(account.redact, () => account.api.orders.getOrder(orderId));
  if (response.status === 200) {
    const order = readTremendousOrder(response.data);
    if (!order) throw new ConnectorError('transient', 'Tremendous answered HTTP 200 without an order', { status: 200 });
    return tremendousOrderOutcome(order);
  }
  if (response.status === 404) {
    throw new ConnectorError('invalid', `Tremendous has no order ${orderId} for payout ${payoutId}`, { status: 404 });
  }
  throw classifyTremendousError(response, { redact: account.redact });
}
