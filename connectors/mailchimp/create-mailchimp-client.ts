import http from 'node:http';
import https from 'node:https';
import type net from 'node:net';
import ApiClient from '@mailchimp/mailchimp_marketing/src/ApiClient.js';
import { USER_AGENT } from '../http/create-http-client.js';

export type MailchimpClient = ApiClient;

export interface MailchimpClientOptions {
  apiKey: string;
  /** Full API root, e.g. https://us19.api.mailchimp.com/3.0 (a mock: its origin only). */
  baseUrl: string;
  timeoutMs: number;
  /** Connect-time address check (ssrf-guard's guardedLookup) against DNS rebinding. */
  lookup?: net.LookupFunction;
  /** Most simultaneous connections (Mailchimp refuses the 11th per key); further calls wait for one. */
  maxConnections: number;
}

/**
 * One official-SDK client per connector instance.
 *
 * The package's main export is a singleton (`module.exports = ApiClient.instance`), and
 * `setConfig` replaces its config wholesale: two connectors sharing it would send each other's
 * API keys to each other's lists whenever their calls interleave. The ApiClient constructor builds
 * a complete client of its own (every generated *Api class takes the client it is built with), so
 * each connector gets one and no call ever has to be serialised.
 */
export function createMailchimpClient(options: MailchimpClientOptions): MailchimpClient {
  const client = new ApiClient();
  client.basePath = options.baseUrl.replace(/\/+$/, '');
  // No `server`: buildUrl replaces the first "server" anywhere in the URL with it, and basePath
  // already names the data centre (or the mock).
  client.setConfig({ apiKey: options.apiKey });
  client.timeout = options.timeoutMs;
  client.defaultHeaders = { 'User-Agent': USER_AGENT };

  // maxSockets queues calls beyond the limit inside the agent instead of opening more connections.
  const agentOptions = { keepAlive: true, maxSockets: options.maxConnections, ...(options.lookup ? { lookup: options.lookup } : {}) };
  const agent = new URL(client.basePath).protocol === 'https:' ? new https.Agent(agentOptions) : new http.Agent(agentOptions);
  // The SDK has no transport option; its cookie hook is the one place that sees each superagent
  // request before it is sent. There we pin our own agent (whose sockets all passed the guarded
  // lookup) and turn off redirects, which could lead to a host the SSRF check never saw.
  client.enableCookies = true;
  client.agent = {
    attachCookies(request) {
      request.redirects(0).agent(agent);
    },
    saveCookies() {},
  };
  return client;
}
