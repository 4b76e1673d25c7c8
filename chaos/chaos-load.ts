import type { ChaosWorld } from './chaos-world.js';
import type { HubClient, Outcome } from './hub-client.js';
import type { SeededRandom } from './seeded-random.js';

export type ActionState = 'pending' | Outcome['kind'];

export interface ActionRecord {
  state: ActionState;
  attempts: number;
  /** The referral's email (the subject of business events). */
  email: string;
  detail?: string;
}

/** Everything the load sent and what the hubs answered: the soak's side of the truth. */
export interface LoadLedger {
  conversions: Map<string, ActionRecord>;
  renewals: Map<string, ActionRecord>;
  refunds: Map<string, ActionRecord>;
  /** Business events per referral email sent so far (a refunded referral gets no renewals). */
  renewalsSent: Map<string, number>;
  refunded: Set<string>;
  skippedTicks: number;
}

export function emptyLedger(): LoadLedger {
  return { conversions: new Map(), renewals: new Map(), refunds: new Map(), renewalsSent: new Map(), refunded: new Set(), skippedTicks: 0 };
}

const MAX_IN_FLIGHT = 64;
const MAX_RENEWALS_SENT = 4;

/**
 * A steady stream of conversions, renewals and refunds, spread over both hubs. Each request is
 * retried with the same body (conversions are idempotent by email; events carry an
 * idempotencyKey) until the hub answers for good or the soak's deadline for answers passes.
 */
export function startLoad(client: HubClient, world: ChaosWorld, ledger: LoadLedger, random: SeededRandom, perSecond: number) {
  let answersDeadline = Number.POSITIVE_INFINITY;
  let inFlight = 0;
  let serial = 0;
  const settled = new Set<Promise<void>>();
  const acceptedEmails: string[] = [];

  const run = (record: ActionRecord, send: () => Promise<Outcome & { attempts: number }>, onAccepted?: () => void) => {
    inFlight++;
    const done = send()
      .then((outcome) => {
        record.state = outcome.kind;
        record.attempts = outcome.attempts;
        if (outcome.kind === 'accepted') onAccepted?.();
        else
          record.detail =
            outcome.kind === 'rejected' ? `${outcome.answer.status} ${JSON.stringify(outcome.answer.body)}` : outcome.lastError;
      })
      .finally(() => {
        inFlight--;
        settled.delete(done);
      });
    settled.add(done);
  };

  const convert = () => {
    const email = `friend${serial++}@chaos.example`;
    const member = random.pick(world.members);
    const record: ActionRecord = { state: 'pending', attempts: 0, email };
    ledger.conversions.set(email, record);
    const body = {
      programId: world.programId,
      referralCode: member.referralCode,
      email,
      firstName: 'Friend',
      amount: 40,
      currency: 'USD',
      source: 'checkout',
    };
    run(
      record,
      () => client.untilAnswered('POST', '/api/v1/conversions', body, {}, () => Date.now() > answersDeadline),
      () => acceptedEmails.push(email),
    );
  };

  const businessEvent = (type: 'subscription_renewed' | 'refund', email: string) => {
    const idempotencyKey = `${type}-${serial++}`;
    const record: ActionRecord = { state: 'pending', attempts: 0, email };
    (type === 'refund' ? ledger.refunds : ledger.renewals).set(idempotencyKey, record);
    const body = { programId: world.programId, referral: { email }, type, amount: 30, currency: 'USD', idempotencyKey };
    run(record, () => client.untilAnswered('POST', '/api/v1/events', body, {}, () => Date.now() > answersDeadline));
  };

  const tick = () => {
    if (inFlight >= MAX_IN_FLIGHT) {
      ledger.skippedTicks++;
      return;
    }
    const roll = random.next();
    if (acceptedEmails.length < 5 || roll < 0.6) return convert();
    const email = random.pick(acceptedEmails);
    if (ledger.refunded.has(email)) return convert();
    const sent = ledger.renewalsSent.get(email) ?? 0;
    if (roll < 0.9 && sent < MAX_RENEWALS_SENT) {
      ledger.renewalsSent.set(email, sent + 1);
      return businessEvent('subscription_renewed', email);
    }
    if (sent === 0) {
      ledger.refunded.add(email);
      return businessEvent('refund', email);
    }
    return convert();
  };

  const timer = setInterval(tick, 1000 / perSecond);
  return {
    /** Stops sending new requests and waits (at most `answerWithinMs`) for every request to be answered. */
    async stop(answerWithinMs: number) {
      clearInterval(timer);
      answersDeadline = Date.now() + answerWithinMs;
      while (settled.size > 0) await Promise.race(settled);
    },
  };
}
