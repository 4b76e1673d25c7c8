import { AxiosHeaders, type AxiosInstance, type AxiosResponse } from 'axios';
import { ConnectorError, type ConnectorRuntime } from '../connector.js';
import { classifyHttpError } from '../http/classify-http-error.js';
import { sailthruResetDelayMs } from './classify-sailthru-error.js';
import { signSailthruParams } from './sign-sailthru-params.js';

export interface SailthruClientOptions {
  client: AxiosInstance;
  runtime: ConnectorRuntime;
  /** https://api.sailthru.com, or a local fake. */
  baseUrl: string;
  apiKey: string;
  apiSecret: string;
  /** Clock in ms since epoch, injected by tests. */
  now?: () => number;
}

export type SailthruMethod = 'GET' | 'POST';

export interface SailthruClient {
  /** Sends one signed call; returns the response whatever its status. */
  call(method: SailthruMethod, endpoint: string, payload: Record<string, unknown>): Promise<AxiosResponse>;
  /** Throws rate_limited when an earlier answer said this endpoint's window is used up. */
  assertWithinLimit(method: SailthruMethod, endpoint: string): void;
  /** Secret values to blank out of error messages. */
  readonly redact: readonly string[];
  now(): number;
}

interface Window {
  remaining: number;
  resetDelayMs: number;
  seenAt: number;
}

/**
 * Signed calls to the Sailthru API in its recommended form (api_key, format=json, json, sig;
 * form-encoded for POST, query string for GET), remembering the X-Rate-Limit-* headers per
 * endpoint and method so a used-up window is waited out instead of answered with 429.
 * https://getstarted.sailthru.com/developers/api-basics/technical/
 */
export function createSailthruClient(options: SailthruClientOptions): SailthruClient {
  const { client, runtime } = options;
  const now = options.now ?? Date.now;
  const base = options.baseUrl.replace(/\/+$/, '');
  const redact = [options.apiSecret, options.apiKey];
  const windows = new Map<string, Window>();

  function remember(key: string, response: AxiosResponse) {
    const remaining = Number(AxiosHeaders.from(response.headers as AxiosHeaders).get('x-rate-limit-remaining'));
    const seenAt = now();
    const resetDelayMs = sailthruResetDelayMs(response.headers, seenAt);
    if (Number.isFinite(remaining) && resetDelayMs !== undefined) windows.set(key, { remaining, resetDelayMs, seenAt });
  }

  return {
    redact,
    now,
    assertWithinLimit(method, endpoint) {
      const window = windows.get(`${method} ${endpoint}`);
      if (!window || window.remaining > 0) return;
      const waitMs = window.seenAt + window.resetDelayMs - now();
      if (waitMs > 0) {
        throw new ConnectorError('rate_limited', `Sailthru ${method} /${endpoint} has no requests left in this window`, {
          retryAfterMs: waitMs,
        });
      }
    },
    async call(method, endpoint, payload) {
      const url = `${base}/${endpoint}`;
      await runtime.assertTargetAllowed(url);
      const params: Record<string, string> = { api_key: options.apiKey, format: 'json', json: JSON.stringify(payload) };
      const form = new URLSearchParams({ ...params, sig: signSailthruParams(params, options.apiSecret) }).toString();
      let response: AxiosResponse;
      try {
        response =
          method === 'POST'
            ? await client.post(url, form, { headers: { 'Content-Type': 'application/x-www-form-urlencoded', Accept: 'application/json' } })
            : await client.get(`${url}?${form}`, { headers: { Accept: 'application/json' } });
      } catch (error) {
        throw classifyHttpError(error, { redact });
      }
      remember(`${method} ${endpoint}`, response);
      return response;
    },
  };
}
