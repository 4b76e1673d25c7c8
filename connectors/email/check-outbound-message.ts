import { z } from 'zod';
import { ConnectorError, type OutboundMessage } from '../connector.js';

const address = z.email().max(254);
const HEADER_NAME = /^[A-Za-z0-9][A-Za-z0-9-]{0,75}$/;
// Headers the connector writes itself: a caller setting them would change who gets the message or how it is read.
const RESERVED = new Set([
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
const singleLine = (value: string) => !/[\r\n\0]/.test(value);

/**
 * Refuses a message that could smuggle headers or recipients (a line break in the subject, a
 * header or the sender name, a second address in `to`) before anything reaches the server.
 */
export function checkOutboundMessage(message: OutboundMessage): void {
  const invalid = (why: string) => new ConnectorError('invalid', `email not sent: ${why}`);
  if (!address.safeParse(message.to).success) throw invalid('the recipient is not one email address');
  if (!singleLine(message.subject) || message.subject.trim() === '') throw invalid('the subject must be one non-empty line');
  if (message.fromName !== undefined && !singleLine(message.fromName)) throw invalid('the sender name must be one line');
  if (message.messageId !== undefined && !/^<[^<>\s@]+@[^<>\s@]+>$/.test(message.messageId))
    throw invalid('messageId must look like <id@domain>');
  for (const [name, value] of Object.entries(message.headers ?? {})) {
    if (!HEADER_NAME.test(name) || RESERVED.has(name.toLowerCase())) throw invalid(`header ${JSON.stringify(name)} cannot be set`);
    if (!singleLine(value)) throw invalid(`header ${name} must be one line`);
  }
}
