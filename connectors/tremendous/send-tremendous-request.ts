import type { AxiosResponse } from 'axios';
import { classifyTremendousError } from './classify-tremendous-error.js';

/**
 * Runs one SDK call and returns its answer whatever the status (the caller decides what a 4xx
 * means for a payout); a network failure, a timeout or an SDK refusal leaves as a ConnectorError
 * with the secrets in `redact` kept out of its message.
 */
export async function sendTremendousRequest<T>(
  redact: readonly string[],
  send: () => Promise<AxiosResponse<T>>,
): Promise<AxiosResponse<T>> {
  try {
    return await send();
  } catch (error) {
    throw classifyTremendousError(error, { redact });
  }
}
