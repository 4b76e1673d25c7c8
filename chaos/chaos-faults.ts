import type { ChaosCluster } from './chaos-cluster.js';
import type { ChaosReceivers } from './chaos-world.js';
import type { FaultMode } from './fault-proxy.js';
import type { SeededRandom } from './seeded-random.js';

export const FAULT_KINDS = [
  'kill -9 worker',
  'kill -9 hub',
  'restart Temporal',
  'restart PostgreSQL',
  'receiver 500s',
  'receiver 429s',
  'receiver hangs',
] as const;

export type FaultKind = (typeof FAULT_KINDS)[number];

const RECEIVER_MODES: Partial<Record<FaultKind, FaultMode>> = {
  'receiver 500s': 'error500',
  'receiver 429s': 'rate429',
  'receiver hangs': 'hang',
};

/**
 * Injects one fault at a time at random moments until stopped: every kind once first (in a random
 * order, so even a short run sees each), then random picks. Returns what it did, for the report.
 */
export function startFaults(
  cluster: ChaosCluster,
  receivers: ChaosReceivers,
  random: SeededRandom,
  log: (m: string) => void,
  gapSeconds: [number, number],
) {
  const done: Array<{ at: Date; kind: FaultKind; target: string }> = [];
  let stopping = false;
  let wake: () => void = () => {};
  const pause = (ms: number) =>
    new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, ms);
      wake = () => {
        clearTimeout(timer);
        resolve();
      };
    });

  const inject = async (kind: FaultKind) => {
    const receiverMode = RECEIVER_MODES[kind];
    let target = '';
    if (kind === 'kill -9 worker' || kind === 'kill -9 hub') {
      const process = random.pick(kind === 'kill -9 worker' ? cluster.workers : cluster.hubs);
      target = process.name;
      log(`fault: ${kind} (${target})`);
      await process.kill9();
    } else if (kind === 'restart Temporal') {
      target = 'temporal';
      log(`fault: ${kind}`);
      await cluster.temporal.restart(random.between(1000, 5000));
    } else if (kind === 'restart PostgreSQL') {
      target = 'postgres';
      log(`fault: ${kind}`);
      await cluster.postgres.restart(random.between(500, 3000));
    } else if (receiverMode) {
      const name = random.pick(['webhook', 'hubspot', 'paypal'] as const);
      target = name;
      const proxy = receivers.proxies[name];
      log(`fault: ${kind} (${name})`);
      proxy.setMode(receiverMode);
      await pause(random.between(5_000, 15_000) * (stopping ? 0 : 1));
      proxy.setMode('ok');
    }
    done.push({ at: new Date(), kind, target });
  };

  const loop = (async () => {
    const first = random.shuffle(FAULT_KINDS);
    while (!stopping) {
      await pause(random.between(gapSeconds[0], gapSeconds[1]) * 1000);
      if (stopping) break;
      await inject(first.shift() ?? random.pick(FAULT_KINDS));
    }
  })();

  return {
    done,
    /** Stops injecting; a receiver fault in progress ends at once. */
    async stop() {
      stopping = true;
      wake();
      await loop;
      for (const proxy of Object.values(receivers.proxies)) proxy.setMode('ok');
    },
  };
}
