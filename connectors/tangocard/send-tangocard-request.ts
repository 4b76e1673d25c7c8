import type { AxiosInstance, AxiosResponse } from 'axios';
import type { ConnectorRuntime } from '../connector.js';
import { classifyTangoCardError } from './classify-tangocard-error.js';

/** What every Tango Card call needs: the client (Basic auth set), where it points, what to redact. */
export interface TangoCardApi {
  client: AxiosInstance;
  baseUrl: string;
  runtime: ConnectorRuntime;
  redact: readonly string[];
}

/**
 * Sends one request after the SSRF guard has passed the base URL and returns the answer, whatever
 * its status; a network failure leaves as a ConnectorError with the secrets kept out of it.
 */
export async function sendTangoCardRequest(
  api: TangoCardApi,
  send: (client: AxiosInstance) => Promise<AxiosResponse>,
): Promise<AxiosResponse> {
  await api.runtime.assertTargetAllowed(api.baseUrl);
  try {
    return await send(api.client);
  } catch (error) {
    throw classifyTangoCardError(error, { redact: api.redact });
  }
}

/** As sendTangoCardRequest, but anything but a 2xx leaves as a ConnectorError. */
export async function requireTangoCardSuccess(
  api: TangoCardApi,
  send: (client: AxiosInstance) => Promise<AxiosResponse>,
): Promise<AxiosResponse> {
  const response = await sendTangoCardRequest(api, send);
  if (response.status < 200 || response.status >= 300) throw classifyTangoCardError(response, { redact: api.redact });
  return response;
}
