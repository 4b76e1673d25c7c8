import { sleep } from '@temporalio/workflow';
import { sendQueuedShareEmail, shareEmailActivities } from './send-queued-share-email.js';
import type { EnrolmentInput } from './share-email-ids.js';

/** Queues one of the member's emails and sends it; false once the member is gone (stop there). */
async function deliver(memberId: string, kind: 'welcome' | 'reminder'): Promise<boolean> {
  const queued = await shareEmailActivities.queueMemberEmail({ memberId, kind });
  if (queued.outcome === 'member_gone') return false;
  if (queued.outcome === 'queued') await sendQueuedShareEmail(queued.shareEmailId);
  return true;
}

/**
 * A customer enrolled by their own activity (id `enrolment:<memberId>`): the welcome email with
 * their link, then — after a durable timer — one reminder if nobody has clicked that link yet.
 * Started inside the transaction that creates the member, so a member whose transaction rolled
 * back is found missing and nothing is sent.
 */
export async function enrolment(input: EnrolmentInput): Promise<void> {
  if (input.sendWelcome && !(await deliver(input.memberId, 'welcome'))) return;
  if (input.reminderAfterMs === null) return;
  await sleep(input.reminderAfterMs);
  await deliver(input.memberId, 'reminder');
}
