import { randomUUID } from 'node:crypto';
import type { ProviderLimits } from './prism-mock.js';

/** Mailchimp's only published limit: simultaneous connections per API key (no per-second quota). */
export const MAILCHIMP_SIMULTANEOUS_CONNECTIONS = 10;

/**
 * Mailchimp's limits for the proxy in front of the Prism mock: the 11th simultaneous request is
 * answered 429 with the problem document the spec gives for every error (type, title, status,
 * detail, instance, all required) and the error glossary's wording. Mailchimp sends no
 * Retry-After or rate-limit headers, so neither does this. `roundTripMs` is how long each request
 * takes there (the mock answers at once).
 */
export function mailchimpLimits(roundTripMs?: ProviderLimits['roundTripMs']): ProviderLimits {
  return {
    maxConcurrent: MAILCHIMP_SIMULTANEOUS_CONNECTIONS,
    refusal: () => ({
      status: 429,
      headers: { 'content-type': 'application/problem+json; charset=utf-8' },
      body: JSON.stringify({
        type: 'https://mailchimp.com/developer/marketing/docs/errors/',
        title: 'Too Many Requests',
        status: 429,
        detail: `You have exceeded the limit of ${MAILCHIMP_SIMULTANEOUS_CONNECTIONS} simultaneous connections.`,
        instance: randomUUID(),
      }),
    }),
    roundTripMs,
  };
}
