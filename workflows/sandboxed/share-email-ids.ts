// Shared by the hub (which starts these workflows) and the workflows. Names, ids and inputs only,
// so it is safe inside the workflow sandbox.

export const SHARE_EMAIL_WORKFLOW_TYPE = 'shareEmail';

/** One per queued share email: a second start (the request, then a sweep) finds the first. */
export const shareEmailWorkflowId = (shareEmailId: string) => `share-email:${shareEmailId}`;

export interface ShareEmailInput {
  shareEmailId: string;
}

export const ENROLMENT_WORKFLOW_TYPE = 'enrolment';

/** One per enrolled member: the welcome and the reminder are sent at most once. */
export const enrolmentWorkflowId = (memberId: string) => `enrolment:${memberId}`;

export interface EnrolmentInput {
  memberId: string;
  programId: string;
  sendWelcome: boolean;
  /** The program's `reminderAfter` when the member enrolled, in ms; null sends no reminder. */
  reminderAfterMs: number | null;
}
