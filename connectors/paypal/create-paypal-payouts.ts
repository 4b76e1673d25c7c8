import type { AxiosResponse } from 'axios';
import { ConnectorError, type PayoutOutcome, type PayoutProvider, type PayoutRequest } from '../connector.js';
import { classifyHttpError } from '../http/classify-http-error.js';
import type { PayPalSession } from './create-paypal-session.js';
import { PAYPAL_CURRENCIES, formatPayPalAmount } from './paypal-currencies.js';
import { paypalBatchOutcome, parsePayPalBatch } from './paypal-batch-outcome.js';
import { readPayPalCreateRefusal } from './paypal-create-error.js';

export interface PayPalPayoutOptions {
  rewardKinds: readonly string[];
  emailSubject?: string;
}

const BATCH_ID = /^[A-Za-z0-9]+$/;

/**
 * PayPal Payouts, one batch of one item per payout. The payout id is both the sender_batch_id
 * and the sender_item_id: PayPal refuses a sender_batch_id it saw in the last 30 days and names
 * the original batch, so a resend (after a lost answer, a crash, a second worker) reads that
 * batch instead of paying again.
 */
export function createPayPalPayouts(session: PayPalSession, options: PayPalPayoutOptions): PayoutProvider {
  const fail = (response: AxiosResponse) => classifyHttpError(response, { redact: session.redact() });

  async function readBatch(batchId: string, payoutId: string): Promise<PayoutOutcome> {
    if (!BATCH_ID.test(batchId)) throw new ConnectorError('invalid', `"${batchId}" is not a PayPal payout batch id`);
    const response = await session.send('GET', `/v1/payments/payouts/${batchId}`);
    if (response.status !== 200) throw fail(response);
    return paypalBatchOutcome(parsePayPalBatch(response.data, response.status), payoutId);
  }

  return {
    rewardKinds: options.rewardKinds,
    currencies: PAYPAL_CURRENCIES,

    async pay(request: PayoutRequest): Promise<PayoutOutcome> {
      const value = formatPayPalAmount(request.amount, request.currency);
      const response = await session.send('POST', '/v1/payments/payouts', {
        sender_batch_header: {
          sender_batch_id: request.payoutId,
          ...(options.emailSubject ? { email_subject: options.emailSubject } : {}),
        },
        items: [
          {
            recipient_type: 'EMAIL',
            receiver: request.recipient.paypalEmail ?? request.recipient.email,
            amount: { value, currency: request.currency },
            sender_item_id: request.payoutId,
            ...(request.note ? { note: request.note } : {}),
          },
        ],
      });

      if (response.status === 201) {
        const batchId = parsePayPalBatch(response.data, 201).batch_header.payout_batch_id;
        // The create answer has no items yet: the item id (and often its outcome) comes with a read.
        // The money is on its way whatever that read answers, so a failed read still means sent.
        try {
          return await readBatch(batchId, request.payoutId);
        } catch {
          return { state: 'sent', providerReference: batchId };
        }
      }

      const refusal = readPayPalCreateRefusal(response.status, response.data);
      if (refusal.kind === 'duplicate') {
        if (!refusal.batchId) {
          // Sending again can never help and might be the one that pays twice: stop and say why.
          throw new ConnectorError(
            'permanent',
            `PayPal already has a payout with sender_batch_id ${request.payoutId} but named no batch; look it up in the PayPal account`,
            { status: response.status },
          );
        }
        return readBatch(refusal.batchId, request.payoutId);
      }
      if (refusal.kind === 'outcome') return { ...refusal.outcome, providerReference: '' };
      throw fail(response);
    },

    async status(payoutId: string, providerReference: string): Promise<PayoutOutcome> {
      const [batchId = ''] = providerReference.split('/');
      return readBatch(batchId, payoutId);
    },
  };
}
