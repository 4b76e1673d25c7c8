'use strict';

const crypto = require('crypto');

const isEmpty = (value) =>
  value === undefined ||
  value === null ||
  value === '' ||
  (typeof value === 'object' && !Array.isArray(value) && Object.keys(value).length === 0);

/**
 * Unmapped optional fields reach us as absent or empty strings; the hub's schemas are strict and
 * would refuse `""` for an email or currency, so drop empties (recursively for customFields).
 */
const compact = (object) => {
  const out = {};
  for (const [key, value] of Object.entries(object)) {
    const cleaned = value && typeof value === 'object' && !Array.isArray(value) ? compact(value) : value;
    if (!isEmpty(cleaned)) out[key] = cleaned;
  }
  return out;
};

/** Zapier coerces `number` fields, but mapped text like "30.00" may still arrive as a string. */
const toNumber = (value) => {
  if (value === undefined || value === null || value === '') return undefined;
  const n = typeof value === 'number' ? value : Number(String(value).trim());
  return Number.isFinite(n) ? n : value; // leave bad input for the hub to reject with a clear 422
};

/** ISO 4217 codes are upper-case; mapped text like " usd" is tidied rather than refused. */
const currencyCode = (value) => (value ? String(value).trim().toUpperCase() : undefined);

/**
 * Zapier can run a step again with the same input (timeouts, autoreplay, manual replay). The
 * hub replays its first answer for a repeated Idempotency-Key and the same body, so a key taken
 * from the exact body sent makes such a rerun a no-op instead of a second create.
 */
const idempotencyKey = (action, body) => `zapier:${action}:${crypto.createHash('sha256').update(JSON.stringify(body)).digest('hex')}`;

module.exports = { compact, toNumber, currencyCode, idempotencyKey };
