import {
  allHandlersFinished,
  condition,
  continueAsNew,
  patched,
  proxyActivities,
  proxyLocalActivities,
  setHandler,
  workflowInfo,
  type RetryPolicy,
} from '@temporalio/workflow';
import type { LifecycleActivities } from '../activities/create-lifecycle-activities.js';
import { referralEventSignal, type ReferralSignal } from './referral-signal.js';

export interface HeldReward {
  rewardId: string;
  /** Epoch ms when the hold ends (computed by the activity from the rule's hold). */
  releaseAt: number;
}

export interface ReferralLifecycleInput {
  referralId: string;
  /** Carried across continue-as-new. */
  holds?: HeldReward[];
  queue?: ReferralSignal[];
}

const RETRY: RetryPolicy = { initialInterval: '1s', backoffCoefficient: 2, maximumInterval: '1m', nonRetryableErrorTypes: ['NotFound'] };

// Histories recorded before this patch scheduled each step as a (remote) activity task.
const remote = proxyActivities<LifecycleActivities>({ startToCloseTimeout: '30s', retry: RETRY });
// Each step is one short transaction in our own database: run inside the workflow task that
// decided it, instead of an activity task's round trip through Temporal (schedule, match, start,
// complete, then a second workflow task). A conversion then costs Temporal one workflow task
// instead of two plus an activity task. The results are recorded as markers, so replays and
// retries behave as before; the activities are idempotent either way.
const local = proxyLocalActivities<LifecycleActivities>({ startToCloseTimeout: '30s', retry: RETRY });
const LOCAL_ACTIVITIES = 'lifecycle-local-activities';
// Per call, as patching intends: a run that began under the remote steps replays them, and
// switches to local ones (recording the patch marker) from its first step under this release.
const acts = (): LifecycleActivities => (patched(LOCAL_ACTIVITIES) ? local : remote);

const STATUS_TRIGGERS: Record<string, string[]> = {
  pending: [],
  qualified: ['qualified'],
  // Reaching `approved` directly still fires the `qualified` rules, once (keys dedupe).
  approved: ['qualified', 'approved'],
};

/**
 * One per referral (id `referral:<referralId>`). Serialises everything that happens to a
 * referral, runs hold timers, and hands every reward decision to idempotent activities, so
 * replays, duplicate signals and worker crashes never create a second reward.
 */
export async function referralLifecycle(input: ReferralLifecycleInput): Promise<void> {
  const queue: ReferralSignal[] = [...(input.queue ?? [])];
  let holds: HeldReward[] = [...(input.holds ?? [])];
  setHandler(referralEventSignal, (signal) => {
    queue.push(signal);
  });

  const addHolds = (added: HeldReward[]) => {
    for (const h of added) if (!holds.some((x) => x.rewardId === h.rewardId)) holds.push(h);
  };
  const dropHolds = (ids: string[]) => {
    holds = holds.filter((h) => !ids.includes(h.rewardId));
  };

  for (;;) {
    const nextRelease = holds.reduce((min, h) => Math.min(min, h.releaseAt), Infinity);
    if (nextRelease === Infinity) await condition(() => queue.length > 0);
    else await condition(() => queue.length > 0, Math.max(1, nextRelease - Date.now()));

    for (const due of holds.filter((h) => h.releaseAt <= Date.now())) {
      await acts().releaseHold({ rewardId: due.rewardId });
      dropHolds([due.rewardId]);
    }

    while (queue.length > 0) {
      const signal = queue.shift()!;
      if (signal.kind === 'business') {
        const result = await acts().applyBusinessEvent({ referralId: input.referralId, eventId: signal.eventId });
        addHolds(result.holds);
        dropHolds(result.cancelled);
      } else if (signal.kind === 'status' && signal.status === 'denied') {
        const cancelled = await acts().cancelOpenRewards({ referralId: input.referralId, statuses: ['held', 'pending'] });
        dropHolds(cancelled);
      } else {
        const triggers = [...(signal.kind === 'converted' ? ['conversion'] : []), ...(STATUS_TRIGGERS[signal.status] ?? [])];
        for (const trigger of triggers) {
          addHolds((await acts().applyStatusTrigger({ referralId: input.referralId, trigger })).holds);
        }
      }
    }

    if (workflowInfo().continueAsNewSuggested) {
      await condition(allHandlersFinished);
      await continueAsNew<typeof referralLifecycle>({ referralId: input.referralId, holds, queue });
    }
  }
}
