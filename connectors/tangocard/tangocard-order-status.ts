import { ConnectorError, type PayoutOutcome } from '../connector.js';
import { findTangoCardOrder, type TangoCardAccountIds } from './find-tangocard-order.js';
import { readTangoCardOrder, tangoCardOrderOutcome } from './tangocard-order-outcome.js';
import { requireTangoCardSuccess, type TangoCardApi } from './send-tangocard-request.js';

/**
 * Where a payout's order stands: read by its referenceOrderID, or, when pay never got one (the
 * answer was lost), looked up by the payout id it was placed with.
 */
export async function tangoCardOrderStatus(
  api: TangoCardApi,
  ids: TangoCardAccountIds,
  payoutId: string,
  referenceOrderID: string,
): Promise<PayoutOutcome> {
  if (!referenceOrderID) {
    const order = await findTangoCardOrder(api, ids, payoutId);
    if (!order) throw new ConnectorError('invalid', `Tango Card has no order with externalRefID ${payoutId}`);
    return tangoCardOrderOutcome(order);
  }
  const response = await requireTangoCardSuccess(api, (client) => client.get(`/orders/${encodeURIComponent(referenceOrderID)}`));
  const order = readTangoCardOrder(response.data, 'GET /orders/{referenceOrderID}');
  if (order.externalRefID && order.externalRefID !== payoutId) {
    throw new ConnectorError(
      'permanent',
      `Tango Card order ${referenceOrderID} belongs to externalRefID ${order.externalRefID}, not ${payoutId}`,
    );
  }
  return tangoCardOrderOutcome(order);
}
