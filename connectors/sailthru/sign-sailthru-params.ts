import crypto from 'node:crypto';

/**
 * Sailthru's request signature (https://getstarted.sailthru.com/developers/api-basics/technical/,
 * sailthru-node-client `SailthruUtil.getSignatureHash`): MD5 hex of the API secret followed by
 * the values of every parameter except `sig`, sorted as strings and joined without separator.
 * Values are signed before URL encoding. With the recommended `json` form the parameters are
 * `api_key`, `format` and `json`, so the JSON text is signed as one string.
 */
export function signSailthruParams(params: Readonly<Record<string, string>>, apiSecret: string): string {
  const values = Object.entries(params)
    .filter(([name]) => name !== 'sig')
    .map(([, value]) => value)
    .sort();
  return crypto
    .createHash('md5')
    .update(apiSecret + values.join(''), 'utf8')
    .digest('hex');
}
