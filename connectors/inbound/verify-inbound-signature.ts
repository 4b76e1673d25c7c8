import crypto from 'node:crypto';

/** The Standard Webhooks headers a signed inbound request carries. */
export const INBOUND_SIGNATURE_HEADERS = { id: 'webhook-id', timestamp: 'webhook-timestamp', signature: 'webhook-signature' } as const;
/** The old scheme (an HMAC of the body alone): refused by name, so senders learn what changed. */
export const LEGACY_SIGNATURE_HEADER = 'x-hub-signature-256';
/** How far webhook-timestamp may be from our clock, either way. */
export const SIGNATURE_TOLERANCE_SECONDS = 5 * 60;

export interface InboundSignatureHeaders {
  id?: string;
  timestamp?: string;
  signature?: string;
  legacy?: string;
}

export const INBOUND_SIGNATURE_HINT =
  'send webhook-id, webhook-timestamp (Unix seconds) and webhook-signature: v1,<base64 HMAC-SHA256 of "<webhook-id>.<webhook-timestamp>.<raw body>">';

/**
 * The HMAC key of a signing secret. A `whsec_<base64>` secret is decoded, as the Standard
 * Webhooks libraries do, so a sender can sign with one of them; any other secret is used as is.
 */
function hmacKey(secret: string): Buffer {
  if (secret.startsWith('whsec_')) {
    const decoded = Buffer.from(secret.slice('whsec_'.length), 'base64');
    if (decoded.length > 0) return decoded;
  }
  return Buffer.from(secret, 'utf8');
}

/**
 * Checks a Standard Webhooks signature: `webhook-signature` holds one or more space-separated
 * `v1,<base64>` HMAC-SHA256 values of `${webhook-id}.${webhook-timestamp}.${raw body}`. The signed
 * timestamp must be within five minutes of now, so a captured request cannot be replayed later.
 * Returns why a request is refused (the 401's message, never a secret), or undefined when it passes.
 */
export function inboundSignatureProblem(
  rawBody: string,
  headers: InboundSignatureHeaders,
  secret: string,
  nowMs = Date.now(),
): string | undefined {
  const { id, timestamp, signature } = headers;
  if (!id && !timestamp && !signature) {
    return headers.legacy
      ? `X-Hub-Signature-256 is no longer accepted: it signs the body without a time, so a captured request could be replayed forever; ${INBOUND_SIGNATURE_HINT}`
      : `This webhook requires a signature: ${INBOUND_SIGNATURE_HINT}`;
  }
  if (!id || !timestamp || !signature) return `Missing webhook-id, webhook-timestamp or webhook-signature: ${INBOUND_SIGNATURE_HINT}`;
  if (id.length > 256 || id.includes('.')) return 'webhook-id must be at most 256 characters without "."';
  if (!/^\d{1,12}$/.test(timestamp)) return 'webhook-timestamp must be Unix seconds';
  if (Math.abs(nowMs / 1000 - Number(timestamp)) > SIGNATURE_TOLERANCE_SECONDS) {
    return `webhook-timestamp is more than ${SIGNATURE_TOLERANCE_SECONDS / 60} minutes away from the hub's clock: sign each request when you send it`;
  }
  const expected = crypto.createHmac('sha256', hmacKey(secret)).update(`${id}.${timestamp}.${rawBody}`, 'utf8').digest();
  const matches = signature.split(' ').some((part) => {
    const [version, value] = part.split(',', 2);
    if (version !== 'v1' || !value) return false;
    const given = Buffer.from(value, 'base64');
    return given.length === expected.length && crypto.timingSafeEqual(given, expected);
  });
  return matches
    ? undefined
    : 'webhook-signature does not match: sign "<webhook-id>.<webhook-timestamp>.<raw body>" with the connector\'s signing secret';
}
