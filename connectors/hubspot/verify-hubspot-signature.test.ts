import { describe, expect, it } from 'vitest';
import { HubSpotSignatureError, verifyHubSpotSignature, type HubSpotSignedRequest } from './verify-hubspot-signature.js';

// Vectors computed outside this code, with
// printf '%s' "<method><uri><body><timestamp>" | openssl dgst -sha256 -hmac "<secret>" -binary | base64
const SECRET = 'yyyyyyyy-yyyy-yyyy-yyyy-yyyyyyyyyyyy';
const BODY =
  '[{"eventId":1,"subscriptionId":12345,"portalId":62515,"occurredAt":1564113600000,"subscriptionType":"contact.creation","attemptNumber":0,"objectId":123,"changeSource":"CRM","changeFlag":"NEW","appId":54321}]';
const TIMESTAMP = '1735787045000';
const NOW = 1735787045000 + 60_000;
const POST_SIGNATURE = 'IyNlk4Tgpk2QUqO341ETZdHVqLl3AM1xwnjuS/PUfrk=';
// Signed over "GEThttps://hub.example/webhooks/in/tok_abc?email=ann@example.com&t=a:b" + timestamp.
const GET_SIGNATURE = 'wDdukfBSL0BnEEgFqCnmdg2JbQeAQvUE58IizB5Kq/s=';
// The POST below without its query, signed with "other-secret-value".
const OTHER_SECRET_SIGNATURE = '49bol7/hwV1pgPDakhJ9I+eGciSNBgM4V2V32oh8mk0=';

const signed: HubSpotSignedRequest = {
  method: 'POST',
  url: 'https://hub.example/webhooks/in/tok_abc?portal=62515',
  body: BODY,
  signature: POST_SIGNATURE,
  timestamp: TIMESTAMP,
};

function failure(request: HubSpotSignedRequest, secrets: string | string[] = SECRET, now = NOW): HubSpotSignatureError {
  try {
    verifyHubSpotSignature(request, secrets, { now });
  } catch (error) {
    expect(error).toBeInstanceOf(HubSpotSignatureError);
    return error as HubSpotSignatureError;
  }
  throw new Error('expected the signature to be refused');
}

describe('verifyHubSpotSignature (v3)', () => {
  it('accepts a request signed with the client secret', () => {
    expect(() => verifyHubSpotSignature(signed, SECRET, { now: NOW })).not.toThrow();
    expect(() => verifyHubSpotSignature({ ...signed, body: Buffer.from(BODY, 'utf8') }, SECRET, { now: NOW })).not.toThrow();
  });

  it('decodes the escapes HubSpot decodes before signing the URI', () => {
    const request = {
      method: 'GET',
      url: 'https://hub.example/webhooks/in/tok_abc?email=ann%40example.com&t=a%3Ab',
      body: '',
      signature: GET_SIGNATURE,
      timestamp: TIMESTAMP,
    };
    expect(() => verifyHubSpotSignature(request, SECRET, { now: NOW })).not.toThrow();
    expect(() =>
      verifyHubSpotSignature({ ...request, url: 'https://hub.example/webhooks/in/tok_abc?email=ann@example.com&t=a:b' }, SECRET, {
        now: NOW,
      }),
    ).not.toThrow();
  });

  it('accepts any of several secrets during rotation', () => {
    const request = { ...signed, url: 'https://hub.example/webhooks/in/tok_abc', signature: OTHER_SECRET_SIGNATURE };
    expect(() => verifyHubSpotSignature(request, [SECRET, 'other-secret-value'], { now: NOW })).not.toThrow();
    expect(failure(request, SECRET).reason).toBe('no_valid_signature');
  });

  it.each([
    ['body', { body: BODY.replace('"objectId":123', '"objectId":124') }],
    ['method', { method: 'PUT' }],
    ['url', { url: 'https://hub.example/webhooks/in/tok_other?portal=62515' }],
    ['timestamp', { timestamp: String(Number(TIMESTAMP) + 1) }],
    ['signature', { signature: POST_SIGNATURE.replace('I', 'J') }],
    ['signature length', { signature: POST_SIGNATURE.slice(0, -1) }],
  ])('refuses a changed %s', (_, change) => {
    expect(failure({ ...signed, ...change }).reason).toBe('no_valid_signature');
  });

  it('refuses a wrong secret', () => {
    expect(failure(signed, 'zzzzzzzz-zzzz-zzzz-zzzz-zzzzzzzzzzzz').reason).toBe('no_valid_signature');
  });

  it('refuses a request older than 5 minutes, or more than 5 minutes ahead, even when signed', () => {
    expect(() => verifyHubSpotSignature(signed, SECRET, { now: Number(TIMESTAMP) + 300_000 })).not.toThrow();
    expect(failure(signed, SECRET, Number(TIMESTAMP) + 300_001).reason).toBe('timestamp_out_of_tolerance');
    expect(failure(signed, SECRET, Number(TIMESTAMP) - 300_001).reason).toBe('timestamp_out_of_tolerance');
  });

  it.each([
    ['no signature', { signature: undefined }, 'missing_header'],
    ['an empty signature', { signature: ' ' }, 'missing_header'],
    ['no timestamp', { timestamp: null }, 'missing_header'],
    ['a timestamp in seconds-with-fraction form', { timestamp: '1735787045.5' }, 'timestamp_out_of_tolerance'],
  ] as const)('refuses %s', (_, change, reason) => {
    expect(failure({ ...signed, ...change }).reason).toBe(reason);
  });
});
