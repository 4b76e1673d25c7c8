import crypto from 'node:crypto';

/** What Standard Webhooks signs: `${id}.${timestamp}.${body}` over the exact bytes sent. */
export interface StandardWebhookMessage {
  id: string;
  /** Unix seconds of this attempt. */
  timestamp: number;
  body: string;
}

const SECRET_PREFIX = 'whsec_';
const BASE64 = /^[A-Za-z0-9+/]+={0,2}$/;
// Spec v1.0.0: "at least 24 bytes (192 bits, 512 maximum)".
export const MIN_SECRET_BYTES = 24;
export const MAX_SECRET_BYTES = 64;

/** HMAC key bytes of a `whsec_<base64>` secret; the error never repeats the secret. */
export function decodeWebhookSecret(secret: string): Buffer {
  const encoded = secret.startsWith(SECRET_PREFIX) ? secret.slice(SECRET_PREFIX.length) : '';
  const key = BASE64.test(encoded) ? Buffer.from(encoded, 'base64') : Buffer.alloc(0);
  if (key.length < MIN_SECRET_BYTES || key.length > MAX_SECRET_BYTES) {
    throw new Error(`signing secret must be "whsec_" followed by base64 of ${MIN_SECRET_BYTES}-${MAX_SECRET_BYTES} random bytes`);
  }
  return key;
}

/**
 * The `webhook-signature` header value: one `v1,<base64 HMAC-SHA256>` per key, space-separated,
 * so a receiver holding either the current or the previous secret verifies during rotation.
 */
export function signStandardWebhook(message: StandardWebhookMessage, keys: readonly Buffer[]): string {
  // The spec forbids "." in id and timestamp: it would make the signed string ambiguous.
  if (message.id.includes('.')) throw new Error('webhook id must not contain "."');
  if (!Number.isSafeInteger(message.timestamp) || message.timestamp < 0) throw new Error('webhook timestamp must be whole Unix seconds');
  if (keys.length === 0) throw new Error('at least one signing key is required');
  const signed = `${message.id}.${message.timestamp}.${message.body}`;
  return keys.map((key) => `v1,${crypto.createHmac('sha256', key).update(signed, 'utf8').digest('base64')}`).join(' ');
}
