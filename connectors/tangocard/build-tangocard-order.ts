import { ConnectorError, type PayoutRequest } from '../connector.js';
import type { TangoCardAccountIds } from './find-tangocard-order.js';

export interface TangoCardOrderSettings extends TangoCardAccountIds {
  utid: string;
  sendEmail: boolean;
  emailSubject?: string;
  message?: string;
  sender?: { firstName?: string; lastName?: string; email?: string };
}

// Tango's limits: externalRefID up to 100 characters, names up to 100, notes up to 150.
const EXTERNAL_REF_MAX = 100;
const NAME_MAX = 100;

const cut = (text: string | undefined): string | undefined => {
  const trimmed = text?.trim();
  return trimmed ? trimmed.slice(0, NAME_MAX) : undefined;
};

/**
 * The POST /orders body for one payout. Tango needs a first name whenever it emails the reward;
 * a member known only by email is greeted by the part of the address before the @.
 */
export function buildTangoCardOrder(settings: TangoCardOrderSettings, request: PayoutRequest, amount: number): Record<string, unknown> {
  if (request.payoutId.length > EXTERNAL_REF_MAX) {
    throw new ConnectorError('invalid', `Payout id ${request.payoutId} is longer than Tango's ${EXTERNAL_REF_MAX}-character externalRefID`);
  }
  const email = request.recipient.email.trim();
  const firstName = cut(request.recipient.firstName) ?? (settings.sendEmail ? cut(email.split('@')[0]) : undefined);
  const lastName = cut(request.recipient.lastName);
  const message = request.note?.trim() || settings.message;
  return {
    accountIdentifier: settings.accountIdentifier,
    customerIdentifier: settings.customerIdentifier,
    utid: settings.utid,
    amount,
    sendEmail: settings.sendEmail,
    externalRefID: request.payoutId,
    recipient: { email, ...(firstName ? { firstName } : {}), ...(lastName ? { lastName } : {}) },
    ...(settings.sender ? { sender: settings.sender } : {}),
    ...(settings.emailSubject ? { emailSubject: settings.emailSubject } : {}),
    ...(message ? { message } : {}),
  };
}
