import { readTangoCardOrder, type TangoCardOrder } from './tangocard-order-outcome.js';
import { requireTangoCardSuccess, type TangoCardApi } from './send-tangocard-request.js';

export interface TangoCardAccountIds {
  accountIdentifier: string;
  customerIdentifier: string;
}

/**
 * The order placed under this account with this externalRefID, if any. Tango enforces the
 * externalRefID per account, so the lookup is narrowed to the account, and only an order that
 * carries exactly this id counts (a filter the server ignored must not hand back someone else's).
 */
export async function findTangoCardOrder(
  api: TangoCardApi,
  ids: TangoCardAccountIds,
  externalRefID: string,
): Promise<TangoCardOrder | undefined> {
  const response = await requireTangoCardSuccess(api, (client) =>
    client.get('/orders', {
      params: { accountIdentifier: ids.accountIdentifier, customerIdentifier: ids.customerIdentifier, externalRefID, elementsPerBlock: 10 },
    }),
  );
  const orders: unknown = (response.data as { orders?: unknown } | undefined)?.orders;
  if (!Array.isArray(orders)) return undefined;
  const match = orders.find((order: unknown) => (order as { externalRefID?: unknown } | null)?.externalRefID === externalRefID);
  return match === undefined ? undefined : readTangoCardOrder(match, 'GET /orders');
}
