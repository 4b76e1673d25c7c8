import { proxyActivities } from '@temporalio/workflow';
import type { ShareEmailActivities } from '../activities/create-share-email-activities.js';

const quick = proxyActivities<ShareEmailActivities>({
  startToCloseTimeout: '30s',
  retry: { initialInterval: '1s', backoffCoefficient: 2, maximumInterval: '1m' },
});

// The mail server may be down or greylisting for a while: retried for about a day with the same
// Message-ID, then the email is recorded `failed`. Refusals (5xx, bad login, bad address) stop at once.
const sending = proxyActivities<ShareEmailActivities>({
  startToCloseTimeout: '1m',
  retry: { initialInterval: '2s', backoffCoefficient: 2, maximumInterval: '30m', maximumAttempts: 60 },
});

export { quick as shareEmailActivities };

/** Sends a queued share email, or records why it failed once retrying is over. */
export async function sendQueuedShareEmail(shareEmailId: string): Promise<void> {
  try {
    await sending.sendShareEmail({ shareEmailId });
  } catch (err) {
    const cause = (err as { cause?: { message?: string } }).cause;
    await quick.failShareEmail({ shareEmailId, error: cause?.message ?? String(err) });
  }
}
