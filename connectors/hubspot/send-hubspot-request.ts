import type { AxiosResponse } from 'axios';
import { classifyHubSpotError } from './classify-hubspot-error.js';

/**
 * Sends one HubSpot API request and returns its 2xx response; a network failure or any other
 * status leaves as a ConnectorError (429s with their wait), with the secrets in `redact` kept
 * out of its message.
 */
export async function sendHubSpotRequest(redact: readonly string[], send: () => Promise<AxiosResponse>): Promise<AxiosResponse> {
  let response: AxiosResponse;
  try {
    response = await send();
  } catch (error) {
    throw classifyHubSpotError(error, { redact });
  }
  if (response.status < 200 || response.status >= 300) throw classifyHubSpotError(response, { redact });
  return response;
}
