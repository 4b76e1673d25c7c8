import { randomBytes } from 'node:crypto';

/**
 * The credential of an inbound connector, carried in its URL like a Zapier catch hook:
 * 32 random bytes, base64url (43 characters), so it cannot be guessed or enumerated.
 */
export function inboundToken(): string {
  return randomBytes(32).toString('base64url');
}

/** The URL a system posts to; shown on the connector (the token is the only credential). */
export function inboundUrl(publicUrl: string, token: string): string {
  return `${publicUrl}/webhooks/in/${token}`;
}
