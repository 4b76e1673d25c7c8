import { condition, proxyActivities, setHandler } from '@temporalio/workflow';
import type { PayoutActivities } from '../activities/create-payout-activities.js';
import { payoutWakeSignal, type PayoutInput } from './payout-signal.js';

const quick = proxyActivities<PayoutActivities>({
  startToCloseTimeout: '30s',
  retry: { initialInterval: '1s', backoffCoefficient: 2, maximumInterval: '1m' },
});

// A send may wait on a slow provider; a worker that dies mid-send is noticed after this long and
// the send is tried again with the same idempotency key. Rate limits and provider outages retry
// for about a day (the provider's answer says how long for 429s), then the payout is `failed`.
const sending = proxyActivities<PayoutActivities>({
  startToCloseTimeout: '20s',
  retry: { initialInterval: '2s', backoffCoefficient: 2, maximumInterval: '30m', maximumAttempts: 60 },
});

// How long to wait between status checks while the provider has not settled a payout: quickly at
// first (most settle in seconds), then no more than every six hours (an unclaimed PayPal payout
// can wait 30 days for its recipient).
const POLL_MS = [2_000, 5_000, 15_000, 60_000, 300_000, 1_800_000, 21_600_000];

/**
 * One per payout (id `payout:<payoutId>`). The payout row is the truth and every step re-reads
 * it, so a duplicate wake, a replayed signal or a second run is harmless. While nothing can
 * happen (waiting for a person, or for a connector that pays it) the workflow only waits for a
 * signal: no timers, no polling. It sends with the payout id as the provider's idempotency key,
 * follows the provider to a final state, and ends; a retry starts a new run with the same id.
 */
export async function payout(input: PayoutInput): Promise<void> {
  let wakes = 0;
  setHandler(payoutWakeSignal, () => {
    wakes++;
  });
  let polls = 0;
  for (;;) {
    const seen = wakes;
    const { step } = await quick.preparePayout({ payoutId: input.payoutId });
    // A wake that came in while the payout was read (a retry just after it failed, seen with that
    // read's answer) may have moved it on: read it again rather than end with the wake unanswered,
    // which would leave it `sending` with no workflow to send it.
    if (step === 'done' && wakes > seen) continue;
    if (step === 'done') return;
    if (step === 'wait') {
      await condition(() => wakes > seen);
      continue;
    }
    if (step === 'send') {
      polls = 0;
      await sending.sendPayout({ payoutId: input.payoutId }).catch(async (err: unknown) => {
        // Retries ran out (or the provider refused in a way retrying cannot fix): say so on the payout.
        const cause = (err as { cause?: { message?: string } }).cause;
        await quick.failPayout({ payoutId: input.payoutId, reason: cause?.message ?? String(err) });
      });
      continue;
    }
    // step === 'poll': a wake (a cancellation, a mark-paid, the payout's own event) re-reads the
    // payout and waits the same interval again; only a quiet interval moves the backoff on.
    const woken = await condition(() => wakes > seen, POLL_MS[Math.min(polls, POLL_MS.length - 1)]!);
    if (woken) continue;
    polls++;
    await quick.pollPayout({ payoutId: input.payoutId });
  }
}
