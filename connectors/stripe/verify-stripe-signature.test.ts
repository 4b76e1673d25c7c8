import crypto from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { StripeSignatureError, verifyStripeSignature, type StripeSignatureFailure } from './verify-stripe-signature.js';

const SECRET = 'whsec_test_5f1d3a9c8e7b6a5d4c3b2a1908f7e6d5';
const OLD_SECRET = 'whsec_test_0a1b2c3d4e5f60718293a4b5c6d7e8f9';
const NOW = Date.UTC(2025, 5, 1, 12, 0, 0);
const nowSeconds = NOW / 1000;

const body = JSON.stringify({
  id: 'evt_1RVn2kLkdIwHu7ix0Xq3pZ8a',
  object: 'event',
  api_version: '2025-03-31.basil',
  created: nowSeconds - 2,
  data: { object: { id: 'in_1RVn2iLkdIwHu7ixk9Zb1c2D', object: 'invoice', amount_paid: 2900, currency: 'usd' } },
  livemode: false,
  pending_webhooks: 1,
  request: { id: null, idempotency_key: null },
  type: 'invoice.paid',
});

// What Stripe computes (stripe-node NodeCryptoProvider): the whsec_ string itself is the key.
const sign = (payload: string, timestamp: number, secret = SECRET) =>
  crypto.createHmac('sha256', secret).update(`${timestamp}.${payload}`, 'utf8').digest('hex');
const header = (timestamp: number, ...signatures: string[]) => [`t=${timestamp}`, ...signatures.map((s) => `v1=${s}`)].join(',');

function failure(call: () => unknown): StripeSignatureFailure {
  try {
    call();
  } catch (error) {
    expect(error).toBeInstanceOf(StripeSignatureError);
    return (error as StripeSignatureError).reason;
  }
  throw new Error('expected verifyStripeSignature to throw');
}

describe('verifyStripeSignature', () => {
  it('returns the parsed event for a valid signature over the raw body', () => {
    const event = verifyStripeSignature(body, header(nowSeconds, sign(body, nowSeconds)), SECRET, { now: NOW });
    expect(event).toMatchObject({ id: 'evt_1RVn2kLkdIwHu7ix0Xq3pZ8a', type: 'invoice.paid', api_version: '2025-03-31.basil' });
    expect(event.data.object).toMatchObject({ amount_paid: 2900 });
  });

  it('accepts the raw body as a Buffer', () => {
    const event = verifyStripeSignature(Buffer.from(body, 'utf8'), header(nowSeconds, sign(body, nowSeconds)), SECRET, { now: NOW });
    expect(event.id).toBe('evt_1RVn2kLkdIwHu7ix0Xq3pZ8a');
  });

  it('refuses a body changed after signing, even by re-serialising it', () => {
    const h = header(nowSeconds, sign(body, nowSeconds));
    expect(failure(() => verifyStripeSignature(body.replace('2900', '9900'), h, SECRET, { now: NOW }))).toBe('no_valid_signature');
    expect(failure(() => verifyStripeSignature(JSON.stringify(JSON.parse(body), null, 2), h, SECRET, { now: NOW }))).toBe(
      'no_valid_signature',
    );
  });

  it('refuses a signature made with another secret, or with the secret base64-decoded', () => {
    expect(failure(() => verifyStripeSignature(body, header(nowSeconds, sign(body, nowSeconds, OLD_SECRET)), SECRET, { now: NOW }))).toBe(
      'no_valid_signature',
    );
    const decodedKey = crypto
      .createHmac('sha256', Buffer.from(SECRET.slice('whsec_'.length), 'base64'))
      .update(`${nowSeconds}.${body}`)
      .digest('hex');
    expect(failure(() => verifyStripeSignature(body, header(nowSeconds, decodedKey), SECRET, { now: NOW }))).toBe('no_valid_signature');
  });

  it('refuses a signed timestamp other than the one in the header', () => {
    const h = header(nowSeconds - 1, sign(body, nowSeconds));
    expect(failure(() => verifyStripeSignature(body, h, SECRET, { now: NOW }))).toBe('no_valid_signature');
  });

  it.each([undefined, null, '', '   '])('reports a missing header (%j)', (value) => {
    expect(failure(() => verifyStripeSignature(body, value, SECRET, { now: NOW }))).toBe('missing_header');
  });

  it.each([
    ['no v1 entry', `t=${nowSeconds},v0=${'a'.repeat(64)}`],
    ['no timestamp', `v1=${'a'.repeat(64)}`],
    ['garbage', 'not a signature header'],
    ['a v0 entry carrying the real signature', `t=${nowSeconds},v0=${sign(body, nowSeconds)}`],
  ])('refuses a header with %s', (_label, value) => {
    expect(failure(() => verifyStripeSignature(body, value, SECRET, { now: NOW }))).toBe('no_valid_signature');
  });

  it('refuses a truncated signature without throwing on the length mismatch', () => {
    const h = header(nowSeconds, sign(body, nowSeconds).slice(0, 40));
    expect(failure(() => verifyStripeSignature(body, h, SECRET, { now: NOW }))).toBe('no_valid_signature');
  });

  it.each([
    [-300, true],
    [-301, false],
    [300, true],
    [301, false],
  ])('with the default 300 s tolerance, a timestamp %i s from now is accepted: %s', (offset, accepted) => {
    const t = nowSeconds + offset;
    const call = () => verifyStripeSignature(body, header(t, sign(body, t)), SECRET, { now: NOW });
    if (accepted) expect(call().id).toBe('evt_1RVn2kLkdIwHu7ix0Xq3pZ8a');
    else expect(failure(call)).toBe('timestamp_out_of_tolerance');
  });

  it('honours a custom tolerance', () => {
    const t = nowSeconds - 30;
    const h = header(t, sign(body, t));
    expect(failure(() => verifyStripeSignature(body, h, SECRET, { now: NOW, toleranceSeconds: 10 }))).toBe('timestamp_out_of_tolerance');
    expect(verifyStripeSignature(body, h, SECRET, { now: NOW, toleranceSeconds: 60 }).id).toBe('evt_1RVn2kLkdIwHu7ix0Xq3pZ8a');
  });

  it('checks the signature before the timestamp, so an unsigned replay learns nothing about age', () => {
    const t = nowSeconds - 3_600;
    expect(failure(() => verifyStripeSignature(body, header(t, 'f'.repeat(64)), SECRET, { now: NOW }))).toBe('no_valid_signature');
    expect(failure(() => verifyStripeSignature(body, header(t, sign(body, t)), SECRET, { now: NOW }))).toBe('timestamp_out_of_tolerance');
  });

  it('accepts any of several v1 entries while Stripe rolls the endpoint secret', () => {
    const h = header(nowSeconds, sign(body, nowSeconds, OLD_SECRET), sign(body, nowSeconds, SECRET));
    expect(verifyStripeSignature(body, h, SECRET, { now: NOW }).id).toBe('evt_1RVn2kLkdIwHu7ix0Xq3pZ8a');
    expect(verifyStripeSignature(body, h, OLD_SECRET, { now: NOW }).id).toBe('evt_1RVn2kLkdIwHu7ix0Xq3pZ8a');
    expect(failure(() => verifyStripeSignature(body, h, 'whsec_unrelated_secret_value', { now: NOW }))).toBe('no_valid_signature');
  });

  it('accepts a signature made with any of the configured endpoint secrets', () => {
    const h = header(nowSeconds, sign(body, nowSeconds, OLD_SECRET));
    expect(verifyStripeSignature(body, h, [SECRET, OLD_SECRET], { now: NOW }).id).toBe('evt_1RVn2kLkdIwHu7ix0Xq3pZ8a');
    expect(failure(() => verifyStripeSignature(body, h, [SECRET], { now: NOW }))).toBe('no_valid_signature');
  });

  it('refuses a correctly signed payload that is not a Stripe event', () => {
    for (const payload of ['not json', JSON.stringify({ hello: 'world' })]) {
      expect(failure(() => verifyStripeSignature(payload, header(nowSeconds, sign(payload, nowSeconds)), SECRET, { now: NOW }))).toBe(
        'invalid_payload',
      );
    }
  });

  it('never puts the secret in its error messages', () => {
    try {
      verifyStripeSignature(body, header(nowSeconds, 'a'.repeat(64)), SECRET, { now: NOW });
      throw new Error('expected a failure');
    } catch (error) {
      expect(error).toBeInstanceOf(StripeSignatureError);
      expect((error as Error).message).not.toContain(SECRET);
    }
  });
});
