import { ApplicationFailure } from '@temporalio/activity';
import { ConnectorError } from '../../connectors/connector.js';

// A provider said "slow down" without saying how long.
const DEFAULT_RATE_LIMIT_WAIT_MS = 10_000;

/**
 * What an activity throws for an error from a connector: a rate limit retries after
 * the wait the provider gave; auth, invalid and permanent errors are not retried; anything else
 * goes back as it is, for the activity's retry policy.
 */
export function activityFailure(err: unknown): unknown {
  if (!(err instanceof ConnectorError)) return err;
  if (err.kind === 'rate_limited') {
    return ApplicationFailure.create({
      message: err.message,
      type: 'connector_rate_limited',
      nextRetryDelay: err.retryAfterMs ?? DEFAULT_RATE_LIMIT_WAIT_MS,
    });
  }
  if (!err.retryable) return ApplicationFailure.nonRetryable(err.message, `connector_${err.kind}`);
  return err;
}
