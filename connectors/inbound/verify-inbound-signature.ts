import crypto from 'node:crypto';

export const INBOUND_SIGNATURE_HEADER = 'x-hub-signature-256';

/**
 * Checks `X-Hub-Signature-256: sha256=<hex>`, the HMAC-SHA256 of the raw body keyed with the
 * connector's signing secret — the scheme GitHub and Meta use, which most senders (and Zapier
 * code steps) can produce. Compared in constant time; any malformed header is simply "no".
 */
export function verifyInboundSignature(rawBody: string | Buffer, header: string | null | undefined, secret: string): boolean {
  const match = /^sha256=([0-9a-f]{64})$/i.exec(header?.trim() ?? '');
  if (!match) return false;
  const given = Buffer.from(match[1]!.toLowerCase(), 'utf8');
  const expected = Buffer.from(crypto.createHmac('sha256', secret).update(rawBody).digest('hex'), 'utf8');
  return crypto.timingSafeEqual(given, expected);
}
