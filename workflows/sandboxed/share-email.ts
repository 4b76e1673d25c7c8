import { sendQueuedShareEmail } from './send-queued-share-email.js';
import type { ShareEmailInput } from './share-email-ids.js';

/**
 * One invite (id `share-email:<shareEmailId>`). The `share_emails` row is the truth: the request
 * committed it as `queued` before starting this, and each send attempt claims it first, so a
 * second start, a retried activity or a sweep never sends it twice.
 */
export async function shareEmail(input: ShareEmailInput): Promise<void> {
  await sendQueuedShareEmail(input.shareEmailId);
}
