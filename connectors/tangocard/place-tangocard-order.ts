import { ConnectorError, type PayoutOutcome, type PayoutRequest } from '../connector.js';
import { formatPayoutAmount } from '../payout/format-payout-amount.js';
import { classifyTangoCardError, describeTangoCardError, tangoCardErrorBody, type TangoCardErrorBody } from './classify-tangocard-error.js';
import { findTangoCardOrder, type TangoCardAccountIds } from './find-tangocard-order.js';
import { buildTangoCardOrder, type TangoCardOrderSettings } from './build-tangocard-order.js';
import { readTangoCardOrder, tangoCardOrderOutcome } from './tangocard-order-outcome.js';
import { sendTangoCardRequest, type TangoCardApi } from './send-tangocard-request.js';

export interface TangoCardPayoutSettings extends TangoCardOrderSettings, TangoCardAccountIds {
  /** The face-value currency of the utid: the only one this connector can pay in. */
  currency: string;
  rewardKinds: readonly string[];
}

const VALIDATION_STATUSES = new Set([400, 422]);

/**
 * Whether Tango refused the order because its externalRefID is already taken. Tango documents a
 * 200 with the first order for that case; a 409, or a validation error about the externalRefID
 * saying it is a duplicate, is read the same way so that no answer shape leads to a second order.
 */
function namesDuplicate(status: number, body: TangoCardErrorBody | undefined): boolean {
  if (status === 409) return true;
  if (!VALIDATION_STATUSES.has(status) || !body) return false;
  const text = [body.message, body.i18nKey, ...(body.errors ?? []).flatMap((e) => [e.path, e.message])].filter(Boolean).join(' ');
  return /externalRef/i.test(text) && /duplicate|already|exists|in use|unique/i.test(text);
}

/** A validation error about the recipient (email, names): that member cannot be paid as is. */
function namesRecipient(status: number, body: TangoCardErrorBody | undefined): boolean {
  if (!VALIDATION_STATUSES.has(status) || !body) return false;
  return (body.errors ?? []).some((e) => /^recipient/i.test(e.path ?? ''));
}

/**
 * Places one Tango Card order for a payout, with the payout id as its externalRefID so that a
 * retry (after a timeout, a 5xx, a crash before our record) gets the first order back instead
 * of buying a second reward.
 */
export async function placeTangoCardOrder(
  api: TangoCardApi,
  settings: TangoCardPayoutSettings,
  request: PayoutRequest,
): Promise<PayoutOutcome> {
  if (request.currency !== settings.currency) {
    throw new ConnectorError(
      'invalid',
      `This Tango Card connector pays ${settings.currency} (its utid's currency); the payout is in ${request.currency}`,
    );
  }
  if (!settings.rewardKinds.includes(request.rewardKind)) {
    throw new ConnectorError(
      'invalid',
      `This Tango Card connector pays ${settings.rewardKinds.join(', ')} rewards, not ${request.rewardKind}`,
    );
  }
  const amount = Number(formatPayoutAmount(request.amount, request.currency));
  const order = buildTangoCardOrder(settings, request, amount);

  const response = await sendTangoCardRequest(api, (client) => client.post('/orders', order));
  // 201: a new order; 200: the order already placed with this externalRefID.
  if (response.status === 200 || response.status === 201) {
    return tangoCardOrderOutcome(readTangoCardOrder(response.data, 'POST /orders'));
  }

  const body = tangoCardErrorBody(response);
  if (namesDuplicate(response.status, body)) {
    const existing = await findTangoCardOrder(api, settings, request.payoutId);
    if (existing) return tangoCardOrderOutcome(existing);
    // Tango says the id is taken but does not list the order (yet): asking again later is safe,
    // placing another is not.
    if (response.status === 409) {
      throw new ConnectorError('transient', `Tango Card reports an order with externalRefID ${request.payoutId} but does not list it yet`, {
        status: 409,
      });
    }
  }
  if (response.status === 402) {
    // Nothing was bought. Once the account is topped up the same externalRefID places the order.
    const reason = describeTangoCardError(body, api.redact) || 'Insufficient funds';
    return { state: 'failed', providerReference: '', failureCode: 'insufficient_funds', failureReason: reason };
  }
  if (namesRecipient(response.status, body)) {
    const reason = describeTangoCardError(body, api.redact) || 'Tango Card refused the recipient';
    return { state: 'failed', providerReference: '', failureCode: 'invalid_recipient', failureReason: reason };
  }
  throw classifyTangoCardError(response, { redact: api.redact });
}
