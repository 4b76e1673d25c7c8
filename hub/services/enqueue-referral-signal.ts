import type { Db } from '../../schema/db.js';
import { inbox } from '../../schema/tables/index.js';
import { REFERRAL_WORKFLOW_TYPE, referralWorkflowId, referralEventSignal, type ReferralSignal } from '../../workflows/referral-signal.js';

type Tx = Pick<Db, 'insert'>;

/** Records, in the caller's transaction, that the referral's workflow must receive this signal. */
export async function enqueueReferralSignal(tx: Tx, referralId: string, signal: ReferralSignal): Promise<string> {
  const workflowId = referralWorkflowId(referralId);
  await tx.insert(inbox).values({
    workflowId,
    workflowType: REFERRAL_WORKFLOW_TYPE,
    workflowArgs: [{ referralId }],
    signal: referralEventSignal.name,
    signalArgs: [signal],
  });
  return workflowId;
}
