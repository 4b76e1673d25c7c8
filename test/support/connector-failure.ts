import { ConnectorError } from '../../connectors/connector.js';

/** Awaits a call that must fail and returns its ConnectorError; anything else fails the test. */
export async function connectorFailure(call: Promise<unknown>): Promise<ConnectorError> {
  const outcome = await call.then(
    (value) => ({ ok: true as const, value }),
    (error: unknown) => ({ ok: false as const, error }),
  );
  if (outcome.ok) throw new Error(`expected a ConnectorError, but the call succeeded with ${JSON.stringify(outcome.value)}`);
  if (!(outcome.error instanceof ConnectorError)) {
    throw new Error(`expected a ConnectorError, got ${String(outcome.error)}`, { cause: outcome.error });
  }
  return outcome.error;
}
