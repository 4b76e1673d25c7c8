import { z } from 'zod';
import { ConnectorError, type OutboundMessage } from '../connector.js';

const oneAddress = z.email().max(254);
const HEADER_NAME = /^[A-Za-z0-9][A-Za-z0-9-]{0,75}$/;
// Written by the connector itself: a caller setting one could change who receives the message or how it is read.
const RESERVED_HEADERS = new Set([
  'from',
  'to',
  'cc',
  'bcc',
  'sender',
  'reply-to',
  'subject',
  'message-id',
  'date',
  'mime-version',
  'content-type',
  'content-transfer-encoding',
]);
const isOneLine = (value: string) => !/[\r\n\0]/.test(value);

/**
 * Refuses, before anything reaches the server, a message that could smuggle extra recipients or
 * headers: a second address in `to`, a line break in the subject or a header.
 */
export function checkOutboundMessage(message: OutboundMessage): void {
  const invalid = (why: string) => new ConnectorError('invalid', `email not sent: ${why}`);
  if (!oneAddress.safeParse(message.to).success) throw invalid('the recipient is not one email address');
  if (!isOneLine(message.subject) || message.subject.trim() === '') throw invalid('the subject must be one non-empty line');
  for (const [name, value] of Object.entries(message.headers ?? {})) {
    if (!HEADER_NAME.test(name) || RESERVED_HEADERS.has(name.toLowerCase())) throw invalid(`header ${JSON.stringify(name)} cannot be set`);
    if (!isOneLine(value)) throw invalid(`header ${name} must be one line`);
  }
}
