import type { AxiosInstance, AxiosResponse, Method } from 'axios';
import type { ConnectorRuntime } from '../connector.js';
import { classifyHttpError } from './classify-http-error.js';

/**
 * One JSON request with an OAuth bearer token: the target is checked against the SSRF guard
 * first (a URL the provider handed us included), and a network failure leaves as a classified
 * ConnectorError with the secrets blanked. The caller reads the status: clients here never throw
 * on one.
 */
export async function sendBearerJson(
  client: AxiosInstance,
  runtime: ConnectorRuntime,
  request: { method: Method; url: string; accessToken: string; data?: unknown; redact: readonly string[] },
): Promise<AxiosResponse> {
  await runtime.assertTargetAllowed(request.url);
  try {
    return await client.request({
      method: request.method,
      url: request.url,
      data: request.data === undefined ? undefined : JSON.stringify(request.data),
      headers: {
        Authorization: `Bearer ${request.accessToken}`,
        Accept: 'application/json',
        ...(request.data === undefined ? {} : { 'Content-Type': 'application/json' }),
      },
    });
  } catch (error) {
    throw classifyHttpError(error, { redact: request.redact });
  }
}
