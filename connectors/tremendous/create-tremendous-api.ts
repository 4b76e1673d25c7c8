import type net from 'node:net';
import { Configuration, FundingSourcesApi, OrdersApi } from 'tremendous';
import { createHttpClient } from '../http/create-http-client.js';

// The SDK's declarations reach axios through `require`, ours through `import`: TypeScript sees two
// unrelated AxiosInstance types for what is one kind of object at run time.
type SdkAxiosInstance = NonNullable<ConstructorParameters<typeof OrdersApi>[2]>;

export interface TremendousApi {
  orders: OrdersApi;
  fundingSources: FundingSourcesApi;
}

export interface TremendousApiOptions {
  apiKey: string;
  /** API root, e.g. https://api.tremendous.com/api/v2 (or a stand-in on loopback). */
  baseUrl: string;
  timeoutMs: number;
  /** Connect-time address check (ssrf-guard's guardedLookup) against DNS rebinding. */
  lookup?: net.LookupFunction;
}

/**
 * The official SDK's API classes, sending through our own axios instance: the generated classes
 * take an axios instance as their third argument, so every call gets our timeout, no redirects,
 * the response-size cap and agents whose sockets all passed the guarded lookup. Our instance
 * never throws on a status, so callers read `status` from every answer.
 *
 * The base path is always given: the SDK's own default is the sandbox, not production.
 */
export function createTremendousApi(options: TremendousApiOptions): TremendousApi {
  const basePath = options.baseUrl.replace(/\/+$/, '');
  const configuration = new Configuration({ basePath, accessToken: options.apiKey });
  const client = createHttpClient({
    baseURL: basePath,
    timeoutMs: options.timeoutMs,
    lookup: options.lookup,
    headers: { Accept: 'application/json' },
  });
  const axios = client as unknown as SdkAxiosInstance;
  return {
    orders: new OrdersApi(configuration, basePath, axios),
    fundingSources: new FundingSourcesApi(configuration, basePath, axios),
  };
}
