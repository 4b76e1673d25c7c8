import { ConnectorError, type PayoutOutcome, type PayoutRequest } from '../connector.js';
import { responseExcerpt } from '../http/classify-http-error.js';
import { redactSecrets } from '../security/redact-secrets.js';
import { classifyTremendousError } from './classify-tremendous-error.js';
import { describeTremendousError, readTremendousError } from './read-tremendous-error.js';
import { sendTremendousRequest } from './send-tremendous-request.js';
import type { TremendousAccount } from './tremendous-account.js';
import { readTremendousOrder, tremendousOrderOutcome, type TremendousOrder } from './tremendous-order-outcome.js';
import { toTremendousOrder } from './to-tremendous-order.js';

const REASON_CHARS = 300;

function reason(data: unknown, fallback: string, redact: readonly string[]): string {
  const details = readTremendousError(data);
  const text = details ? describeTremendousError(details) : '';
  return redactSecrets(text || fallback, redact, REASON_CHARS);
}

/** The order Tremendous holds under this external_id, or undefined when it has none. */
async function placedOrder(account: TremendousAccount, externalId: string): Promise<TremendousOrder | undefined> {
  const response = await sendTremendousRequest(account.redact, () => account.api.orders.getOrder(externalId));
  if (response.status === 404) return undefined;
  if (response.status !== 200) throw classifyTremendousError(response, { redact: account.redact });
  return readTremendousOrder(response.data);
}

/**
 * Orders one reward with the payout id as Tremendous' external_id. A repeat of the same payout
 * (a retry after a lost answer, a second worker) sends the same payload, which Tremendous answers
 * with the order it already has (201) instead of ordering again; a repeat whose recipient was
 * edited in between is refused (409) and finds that order by its external_id.
 */
export async function payWithTremendous(account: TremendousAccount, request: PayoutRequest): Promise<PayoutOutcome> {
  // Built before anything is sent: an unsupported currency or an amount it cannot carry is refused here.
  const order = toTremendousOrder(request, account.order);
  await account.runtime.assertTargetAllowed(account.baseUrl);
  const response = await sendTremendousRequest(account.redact, () => account.api.orders.createOrder(order));
  const { status, data } = response;

  // 200: a new order. 201: this external_id was already ordered with this payload; the body is
  // that first order, and nothing new was created.
  if (status === 200 || status === 201) {
    const existing = readTremendousOrder(data);
    // The order may well exist: a retry with the same payout id finds it rather than ordering twice.
    if (!existing) throw new ConnectorError('transient', `Tremendous answered HTTP ${status} without an order`, { status });
    return tremendousOrderOutcome(existing);
  }
  if (status === 402) {
    return {
      state: 'failed',
      providerReference: '',
      failureCode: 'insufficient_funds',
      failureReason: reason(data, 'Not enough funds in the Tremendous account', account.redact),
    };
  }
  if (status === 409) {
    // The external_id is this payout's id, so an order of the same value is this payout's own,
    // placed by an attempt whose answer was lost before the member's name or email (or the
    // campaign) was edited. It is followed like any first order: failing the payout instead would
    // report unpaid a reward Tremendous is delivering, and invite paying it a second time.
    const placed = await placedOrder(account, request.payoutId);
    const placedValue = placed?.rewards?.[0]?.value;
    const value = order.reward?.value;
    if (placed && placedValue?.denomination === value?.denomination && placedValue?.currency_code === value?.currency_code) {
      return tremendousOrderOutcome(placed);
    }
    throw new ConnectorError(
      'invalid',
      `Tremendous already has an order with external_id ${request.payoutId} of another value than this payout; no second order was placed. Compare it in the Tremendous dashboard`,
      { status, response: responseExcerpt(data, account.redact) || undefined },
    );
  }
  if (status === 400 || status === 422) {
    const details = readTremendousError(data);
    if (details?.fields.some((field) => field.path.startsWith('reward.recipient'))) {
      return {
        state: 'failed',
        providerReference: '',
        failureCode: 'invalid_recipient',
        failureReason: reason(data, 'Tremendous refused the recipient', account.redact),
      };
    }
  }
  throw classifyTremendousError(response, { redact: account.redact });
}
