import axios, { type AxiosInstance } from 'axios';
import http from 'node:http';
import https from 'node:https';
import type net from 'node:net';

export const USER_AGENT = 'referral-hub/0.1';

export interface HttpClientOptions {
  /** Provider base URL; configurable so tests point the connector at a local server. */
  baseURL?: string;
  timeoutMs: number;
  /** Connect-time address check (ssrf-guard's guardedLookup) against DNS rebinding. */
  lookup?: net.LookupFunction;
  headers?: Record<string, string>;
  /** Cap on a response body, so a hostile target cannot exhaust memory. */
  maxResponseBytes?: number;
}

/**
 * The axios instance every HTTP connector uses. It never throws on a status (callers classify
 * with classifyHttpError) and never follows redirects: a 3xx could lead to a host the SSRF
 * check never saw, and Standard Webhooks counts 3xx as failure anyway.
 */
export function createHttpClient(options: HttpClientOptions): AxiosInstance {
  return axios.create({
    baseURL: options.baseURL,
    timeout: options.timeoutMs,
    maxRedirects: 0,
    validateStatus: () => true,
    maxContentLength: options.maxResponseBytes ?? 10 * 1024 * 1024,
    headers: { ...options.headers, 'User-Agent': USER_AGENT },
    // Own agents rather than axios' `lookup` option: a kept-alive socket from the shared global
    // pool may have been opened without the check, while every socket in these pools passed it.
    ...(options.lookup
      ? {
          httpAgent: new http.Agent({ keepAlive: true, lookup: options.lookup }),
          httpsAgent: new https.Agent({ keepAlive: true, lookup: options.lookup }),
        }
      : {}),
  });
}
