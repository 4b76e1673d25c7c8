import crypto from 'node:crypto';
import { z } from 'zod';

export type StripeSignatureFailure = 'missing_header' | 'no_valid_signature' | 'timestamp_out_of_tolerance' | 'invalid_payload';

/** Why an inbound Stripe webhook was refused; the route answers 400 and stores nothing. */
export class StripeSignatureError extends Error {
  readonly reason: StripeSignatureFailure;

  constructor(reason: StripeSignatureFailure, message: string) {
    super(message);
    this.name = 'StripeSignatureError';
    this.reason = reason;
  }
}

/** The event envelope fields the hub relies on; the rest is kept as Stripe sent it. */
export const stripeEventSchema = z.looseObject({
  id: z.string().min(1),
  object: z.literal('event'),
  type: z.string().min(1),
  created: z.number().int(),
  api_version: z.string().nullish(),
  livemode: z.boolean().optional(),
  data: z.looseObject({ object: z.record(z.string(), z.unknown()) }),
});

export type StripeEvent = z.infer<typeof stripeEventSchema>;

export interface VerifyStripeSignatureOptions {
  /** Seconds a signed timestamp stays acceptable; stripe-node's DEFAULT_TOLERANCE. */
  toleranceSeconds?: number;
  /** Clock in ms since epoch, injected by tests. */
  now?: number;
}

export const STRIPE_TOLERANCE_SECONDS = 300;

function parseHeader(header: string): { timestamp: number | undefined; signatures: string[] } {
  let timestamp: number | undefined;
  const signatures: string[] = [];
  for (const part of header.split(',')) {
    const at = part.indexOf('=');
    if (at < 0) continue;
    const key = part.slice(0, at).trim();
    const value = part.slice(at + 1).trim();
    if (key === 't' && /^\d+$/.test(value)) timestamp = Number(value);
    // v0 is Stripe's legacy test scheme and is never accepted.
    else if (key === 'v1') signatures.push(value);
  }
  return { timestamp, signatures };
}

function matchesAny(expected: Buffer, candidates: readonly string[]): boolean {
  let matched = false;
  for (const candidate of candidates) {
    const given = Buffer.from(candidate, 'utf8');
    // timingSafeEqual needs equal lengths; a length mismatch reveals nothing about the secret.
    if (given.length === expected.length && crypto.timingSafeEqual(given, expected)) matched = true;
  }
  return matched;
}

/**
 * Verifies a `Stripe-Signature` header the way stripe-node's `constructEvent` does
 * (https://docs.stripe.com/webhooks#verify-manually): HMAC-SHA256 of `${t}.${rawBody}` keyed with
 * the `whsec_…` string as is, lowercase hex, compared with every `v1` entry (Stripe sends one per
 * active secret while a secret is being rolled). Several endpoint secrets may be given for our
 * own rotation. Unlike Stripe, a timestamp too far in the future is refused as well.
 * Returns the parsed event; throws StripeSignatureError.
 */
export function verifyStripeSignature(
  rawBody: string | Buffer,
  header: string | null | undefined,
  secrets: string | readonly string[],
  options: VerifyStripeSignatureOptions = {},
): StripeEvent {
  if (!header || !header.trim()) throw new StripeSignatureError('missing_header', 'Stripe-Signature header is missing');
  const { timestamp, signatures } = parseHeader(header);
  if (timestamp === undefined || signatures.length === 0) {
    throw new StripeSignatureError('no_valid_signature', 'Stripe-Signature header has no timestamp or no v1 signature');
  }

  const body = typeof rawBody === 'string' ? rawBody : rawBody.toString('utf8');
  const keys = typeof secrets === 'string' ? [secrets] : secrets;
  const signed = keys.some((secret) => {
    const expected = Buffer.from(crypto.createHmac('sha256', secret).update(`${timestamp}.${body}`, 'utf8').digest('hex'), 'utf8');
    return matchesAny(expected, signatures);
  });
  if (!signed) throw new StripeSignatureError('no_valid_signature', 'no v1 signature matches the payload and endpoint secret');

  const tolerance = options.toleranceSeconds ?? STRIPE_TOLERANCE_SECONDS;
  const nowSeconds = Math.floor((options.now ?? Date.now()) / 1000);
  if (Math.abs(nowSeconds - timestamp) > tolerance) {
    throw new StripeSignatureError('timestamp_out_of_tolerance', `signature timestamp is more than ${tolerance}s away from now`);
  }

  let json: unknown;
  try {
    json = JSON.parse(body);
  } catch {
    throw new StripeSignatureError('invalid_payload', 'signed payload is not JSON');
  }
  const event = stripeEventSchema.safeParse(json);
  if (!event.success) throw new StripeSignatureError('invalid_payload', 'signed payload is not a Stripe event');
  return event.data;
}
