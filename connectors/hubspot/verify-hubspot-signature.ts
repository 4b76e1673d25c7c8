import crypto from 'node:crypto';

export type HubSpotSignatureFailure = 'missing_header' | 'timestamp_out_of_tolerance' | 'no_valid_signature';

/** Why an inbound HubSpot request was refused; the route answers 401 and stores nothing. */
export class HubSpotSignatureError extends Error {
  readonly reason: HubSpotSignatureFailure;

  constructor(reason: HubSpotSignatureFailure, message: string) {
    super(message);
    this.name = 'HubSpotSignatureError';
    this.reason = reason;
  }
}

/** The parts of an inbound request the v3 signature covers. */
export interface HubSpotSignedRequest {
  /** HTTP method as received, e.g. POST. */
  method: string;
  /** The full URL HubSpot called: scheme, host, path and query (behind a proxy: the public one). */
  url: string;
  /** The raw body, exactly as received. */
  body: string | Buffer;
  /** `X-HubSpot-Signature-v3` */
  signature: string | null | undefined;
  /** `X-HubSpot-Request-Timestamp`, milliseconds since the epoch. */
  timestamp: string | null | undefined;
}

export interface VerifyHubSpotSignatureOptions {
  /** How far the timestamp may be from now; HubSpot says to reject requests older than 5 minutes. */
  toleranceMs?: number;
  /** Clock in ms since epoch, injected by tests. */
  now?: number;
}

export const HUBSPOT_TOLERANCE_MS = 5 * 60 * 1000;

// The signed URI has these percent-escapes decoded (HubSpot's v3 validation steps).
const DECODED_ESCAPES: Record<string, string> = {
  '%3A': ':',
  '%2F': '/',
  '%3F': '?',
  '%40': '@',
  '%21': '!',
  '%24': '$',
  '%27': "'",
  '%28': '(',
  '%29': ')',
  '%2A': '*',
  '%2C': ',',
  '%3B': ';',
};

function signedUri(url: string): string {
  return url.replace(/%(3A|2F|3F|40|21|24|27|28|29|2A|2C|3B)/gi, (escape) => DECODED_ESCAPES[escape.toUpperCase()] ?? escape);
}

/**
 * Verifies HubSpot's v3 request signature
 * (https://developers.hubspot.com/docs/apps/developer-platform/build-apps/authentication/request-validation):
 * base64 HMAC-SHA256, keyed with the app's client secret, of method + URI + body + timestamp.
 * Several secrets may be given for rotation. Unlike HubSpot's own helper, a timestamp too far in
 * the future is refused as well. Throws HubSpotSignatureError.
 */
export function verifyHubSpotSignature(
  request: HubSpotSignedRequest,
  secrets: string | readonly string[],
  options: VerifyHubSpotSignatureOptions = {},
): void {
  const signature = request.signature?.trim();
  const timestamp = request.timestamp?.trim();
  if (!signature || !timestamp) {
    throw new HubSpotSignatureError('missing_header', 'X-HubSpot-Signature-v3 or X-HubSpot-Request-Timestamp is missing');
  }

  const tolerance = options.toleranceMs ?? HUBSPOT_TOLERANCE_MS;
  const sentAt = /^\d+$/.test(timestamp) ? Number(timestamp) : Number.NaN;
  if (!Number.isFinite(sentAt) || Math.abs((options.now ?? Date.now()) - sentAt) > tolerance) {
    throw new HubSpotSignatureError('timestamp_out_of_tolerance', `request timestamp is more than ${tolerance / 1000}s away from now`);
  }

  const body = typeof request.body === 'string' ? request.body : request.body.toString('utf8');
  const message = `${request.method.toUpperCase()}${signedUri(request.url)}${body}${timestamp}`;
  const given = Buffer.from(signature, 'utf8');
  const keys = typeof secrets === 'string' ? [secrets] : secrets;
  let matched = false;
  for (const secret of keys) {
    const expected = Buffer.from(crypto.createHmac('sha256', secret).update(message, 'utf8').digest('base64'), 'utf8');
    // timingSafeEqual needs equal lengths; a length mismatch reveals nothing about the secret.
    if (expected.length === given.length && crypto.timingSafeEqual(expected, given)) matched = true;
  }
  if (!matched)
    throw new HubSpotSignatureError('no_valid_signature', 'X-HubSpot-Signature-v3 does not match the request and client secret');
}
