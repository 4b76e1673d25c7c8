import { percentile, runConcurrent } from './bench-support.js';
import { benchProgram, startHubStack, type HubStack } from './hub-stack.js';
import { cpuMeter } from './process-cpu.js';

// Steady phase: conversions per second and for how long (open loop: sends are scheduled by the
// clock, and a latency counts from the scheduled time, so a late send is not hidden).
const RATE = Number(process.env.BENCH_LATENCY_RATE ?? 50);
const SECONDS = Number(process.env.BENCH_LATENCY_SECONDS ?? 60);
// Burst phase: conversions posted as fast as 32 clients can, then drained by the lifecycle.
const BURST = Number(process.env.BENCH_LATENCY_BURST ?? 20_000);
// No new approved reward for this long while some are outstanding: the pipeline is stalled.
const STALL_SECONDS = Number(process.env.BENCH_LATENCY_STALL_SECONDS ?? 20);
const POLL_MS = Number(process.env.BENCH_LATENCY_POLL_MS ?? 25);
// How long after the steady phase's last send its conversions may still come through.
const STEADY_GRACE_SECONDS = Number(process.env.BENCH_LATENCY_GRACE_SECONDS ?? 30);
const HTTP_CONCURRENCY = 32;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Polls the API until the referral's reward is approved; resolves to when it was first seen. */
async function approvedVisible(stack: HubStack, referralId: string, timeoutMs: number, pollMs: number): Promise<number> {
  for (const deadline = Date.now() + timeoutMs; Date.now() < deadline; await sleep(pollMs)) {
    const page = await stack.get(`/api/v1/rewards?referralId=${encodeURIComponent(referralId)}&status=approved`);
    if (page.data.length > 0) return performance.now();
  }
  throw new Error(`referral ${referralId}: no approved reward within ${timeoutMs} ms`);
}

/**
 * Watches a program's approved rewards through GET /api/v1/rewards (newest first, ids sort by
 * creation time) and notes when each referral's first shows up. One poll loop for all
 * conversions in flight: polling each referral on its own would load the hub with its own
 * measurement as soon as a backlog forms.
 */
function watchApprovals(stack: HubStack, programId: string) {
  const seenAt = new Map<string, number>();
  const seenRewards = new Set<string>();
  let stopped = false;
  const loop = (async () => {
    while (!stopped) {
      const polledAt = performance.now();
      let cursor: string | undefined;
      // Walk down while a page still brings rewards not seen before (a burst can add more than a page between polls).
      for (let pages = 0; pages < 20; pages++) {
        const page = await stack.get(
          `/api/v1/rewards?programId=${programId}&status=approved&limit=200${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`,
        );
        let fresh = 0;
        for (const r of page.data as { id: string; referralId: string }[]) {
          if (seenRewards.has(r.id)) continue;
          fresh++;
          seenRewards.add(r.id);
          if (!seenAt.has(r.referralId)) seenAt.set(r.referralId, polledAt);
        }
        if (fresh === 0 || !page.nextCursor) break;
        cursor = page.nextCursor;
      }
      await sleep(Math.max(0, POLL_MS - (performance.now() - polledAt)));
    }
  })();
  return {
    seenAt,
    async stop() {
      stopped = true;
      await loop;
    },
  };
}

/**
 * Conversion → approved reward visible through GET /api/v1/rewards: at a steady open-loop rate
 * on a quiet hub (p50/p99), then a burst's drain rate, with a stall detector and one probe
 * conversion sent while the burst's backlog drains.
 */
export async function benchLatency() {
  const stack = await startHubStack({ httpConnections: HTTP_CONCURRENCY * 2 });
  let failed: string | undefined;
  try {
    const bench = await benchProgram(stack, 50);
    const cpu = cpuMeter(stack.parties);
    // Warm-up: bundle caches, JIT, connection pools.
    await runConcurrent(100, 8, async (i) => {
      await bench.convert('warm', i);
    });
    for (const until = Date.now() + 60_000; (await bench.approvedCount()) < 100 && Date.now() < until;) await sleep(100);

    // Steady phase.
    const total = Math.round(RATE * SECONDS);
    const watcher = watchApprovals(stack, bench.program.id);
    const sent = new Map<string, number>();
    const pending: Promise<void>[] = [];
    let lateSends = 0;
    const steadyCpu = cpu.snapshot();
    const start = performance.now() + 100;
    for (let i = 0; i < total; i++) {
      const scheduled = start + (i * 1000) / RATE;
      const wait = scheduled - performance.now();
      if (wait > 0) await sleep(wait);
      else if (wait < -20) lateSends++;
      pending.push(bench.convert('steady', i).then((referral) => void sent.set(referral.id, scheduled)));
    }
    await Promise.all(pending);
    const sendsDoneAt = performance.now();
    for (const until = sendsDoneAt + STEADY_GRACE_SECONDS * 1000; performance.now() < until; await sleep(100)) {
      if ([...sent.keys()].every((id) => watcher.seenAt.has(id))) break;
    }
    await watcher.stop();
    const steadyEnd = cpu.snapshot();
    const latencies = [...sent].map(([id, scheduled]) => (watcher.seenAt.get(id) ?? Infinity) - scheduled).sort((a, b) => a - b);
    const missing = latencies.filter((l) => l === Infinity).length;
    const p50 = percentile(latencies, 50);
    const p99 = percentile(latencies, 99);
    const fmt = (ms: number) => (ms === Infinity ? '∞' : `${ms.toFixed(0)} ms`);
    console.log(
      `latency: ${total} conversions at ${RATE}/s for ${SECONDS} s (open loop), until the approved reward shows in GET /api/v1/rewards (polled every ${POLL_MS} ms)`,
    );
    console.log(
      `  p50 ${fmt(p50)}  p90 ${fmt(percentile(latencies, 90))}  p99 ${fmt(p99)}  max ${fmt(latencies.at(-1)!)}   (targets p50 < 300 ms, p99 < 2000 ms)${lateSends ? `  [${lateSends} sends > 20 ms late]` : ''}`,
    );
    if (missing > 0) console.log(`  ${missing} conversions not approved ${STEADY_GRACE_SECONDS} s after the last send (counted as ∞)`);
    console.log(`  CPU ms per conversion (incl. the API polling): ${cpu.perOperation(steadyCpu, steadyEnd, total)}`);

    // Burst phase, on a quiet hub again: what the steady phase left outstanding goes first.
    const expected = 100 + total;
    for (const until = Date.now() + 600_000; (await bench.approvedCount()) < expected && Date.now() < until;) await sleep(500);
    const before = await bench.approvedCount();
    const burstStart = performance.now();
    let posted = 0;
    const postingDone = runConcurrent(BURST, HTTP_CONCURRENCY, async (i) => {
      await bench.convert('burst', i);
      posted++;
    }).then((r) => ({ ...r, at: performance.now() }));
    let postedAt: number | undefined;
    void postingDone.then((r) => (postedAt = r.at));

    let probe: { sentAt: number; ahead: number; seen?: number; error?: string } | undefined;
    let lastCount = 0;
    let lastProgressAt = performance.now();
    let countAtPosted: number | undefined;
    const samples: string[] = [];
    for (let tick = 0; lastCount < BURST; tick++) {
      await sleep(1000);
      const now = performance.now();
      const count = (await bench.approvedCount()) - before;
      if (count > lastCount) lastProgressAt = now;
      lastCount = count;
      if (tick % 5 === 4) samples.push(`${((now - burstStart) / 1000).toFixed(0)}s:${count}`);
      if (postedAt !== undefined && countAtPosted === undefined) countAtPosted = count;
      // The probe goes in once every burst conversion is accepted: all of them are ahead of it.
      if (postedAt !== undefined && !probe) {
        const sentAt = performance.now();
        probe = { sentAt, ahead: BURST - count };
        const p = probe;
        bench
          .convert('probe', 0)
          .then((referral) => approvedVisible(stack, referral.id, 600_000, 100))
          .then(
            (seen) => (p.seen = seen),
            (err) => (p.error = String(err)),
          );
      }
      if (now - lastProgressAt > STALL_SECONDS * 1000) {
        failed = `STALL: no reward approved for ${STALL_SECONDS} s with ${BURST - count} of the burst outstanding (posted ${posted})`;
        console.log(`  ${failed}`);
        break;
      }
    }
    const drainedAt = performance.now();
    const posting = await postingDone;
    if (!failed) {
      // The probe was sent behind the whole remaining backlog; give it the stall bound to show up.
      for (const until = performance.now() + STALL_SECONDS * 1000; probe && probe.seen === undefined && !probe.error;) {
        if (performance.now() > until) break;
        await sleep(100);
      }
    }
    const drainSeconds = (drainedAt - burstStart) / 1000;
    console.log(`burst: ${BURST} conversions posted by ${HTTP_CONCURRENCY} clients`);
    console.log(
      `  posted at ${posting.perSecond.toFixed(0)}/s (p99 ${posting.p99.toFixed(0)} ms), all accepted after ${posting.seconds.toFixed(1)} s`,
    );
    console.log(
      `  all approved after ${drainSeconds.toFixed(1)} s: drain ${(lastCount / drainSeconds).toFixed(1)} approved rewards/s overall`,
    );
    if (countAtPosted !== undefined && postedAt !== undefined && drainedAt > postedAt) {
      console.log(
        `  after the last POST: ${((lastCount - countAtPosted) / ((drainedAt - postedAt) / 1000)).toFixed(1)} approved rewards/s (backlog ${BURST - countAtPosted} at that point)`,
      );
    }
    console.log(`  approved so far (every 5 s): ${samples.join(' ')}`);
    if (probe) {
      const fifo = (probe.ahead / lastCount) * drainSeconds;
      if (probe.seen !== undefined) {
        console.log(
          `  probe conversion sent with ${probe.ahead} burst conversions still ahead: approved reward visible after ${((probe.seen - probe.sentAt) / 1000).toFixed(2)} s` +
            ` (${probe.seen <= drainedAt ? 'before' : 'after'} the burst finished; a strictly FIFO drain would take ≈ ${fifo.toFixed(1)} s)`,
        );
      } else {
        failed ??= `probe conversion not approved ${STALL_SECONDS} s after the burst drained${probe.error ? `: ${probe.error}` : ''}`;
        console.log(`  STARVED: ${failed}`);
      }
    }
    return { p50, p99, drain: lastCount / drainSeconds };
  } finally {
    await stack.close();
    if (failed) process.exitCode = 1;
  }
}
