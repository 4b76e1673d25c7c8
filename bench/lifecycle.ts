import { fileURLToPath } from 'node:url';
import { baselineConversionSignal, type baselineConversion } from './lifecycle-baseline/workflow.js';
import { runConcurrent } from './bench-support.js';
import { benchProgram, startHubStack, writeWorkflowBundle, type HubStack } from './hub-stack.js';
import { cpuMeter, type CpuSnapshot } from './process-cpu.js';

// Conversions per round, rounds of each side (alternating, so both see the same neighbours on the box).
const TOTAL = Number(process.env.BENCH_LIFECYCLE_TOTAL ?? 1500);
const ROUNDS = Number(process.env.BENCH_LIFECYCLE_ROUNDS ?? 2);
const WARMUP = Number(process.env.BENCH_LIFECYCLE_WARMUP ?? 200);
// The hub's dispatcher signals 16 workflows at once; the baseline client does the same.
const SIGNAL_CONCURRENCY = 16;
const HTTP_CONCURRENCY = 32;
const BASELINE_QUEUE = 'bench-baseline';
const BASELINE_TABLE = 'bench_baseline_conversions';
const BASELINE_WORKER = fileURLToPath(new URL('./lifecycle-baseline/worker.ts', import.meta.url));

async function until(done: () => Promise<boolean>, timeoutMs: number, what: string): Promise<void> {
  for (const deadline = Date.now() + timeoutMs; !(await done());) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

interface Side {
  seconds: number;
  operations: number;
  cpu: Record<string, number>;
}

function addCpu(side: Side, a: CpuSnapshot, b: CpuSnapshot) {
  // Keys starting with _ (the wall clock) are not CPU of any party.
  for (const k of Object.keys(a).filter((key) => !key.startsWith('_'))) side.cpu[k] = (side.cpu[k] ?? 0) + (b[k]! - a[k]!);
}

function cpuLine(side: Side): string {
  const parts = Object.entries(side.cpu).map(([k, s]) => [k, (s * 1000) / side.operations] as const);
  const total = parts.reduce((sum, [, ms]) => sum + ms, 0);
  return `${parts.map(([k, ms]) => `${k} ${ms.toFixed(2)}`).join(', ')}; total ${total.toFixed(2)}`;
}

/**
 * Sustained conversions → approved rewards per second through the hub (POST, event log,
 * dispatcher, referralLifecycle, reward rules) next to bare Temporal doing the least per
 * conversion (signal-with-start, one activity inserting one row) on the same dev server.
 */
export async function benchLifecycle() {
  const stack = await startHubStack({ httpConnections: HTTP_CONCURRENCY });
  try {
    await stack.sql.unsafe(`create table ${BASELINE_TABLE} (id text primary key, created_at timestamptz not null default now())`);
    await stack.startWorkerProcess(
      [BASELINE_WORKER],
      {
        BASELINE_TASK_QUEUE: BASELINE_QUEUE,
        BASELINE_TABLE,
        BASELINE_WORKFLOW_BUNDLE: await writeWorkflowBundle(fileURLToPath(new URL('./lifecycle-baseline/workflow.ts', import.meta.url))),
      },
      BASELINE_QUEUE,
    );
    const bench = await benchProgram(stack, 50);
    const cpu = cpuMeter({ ...stack.parties, baselineWorker: (c) => c.includes('lifecycle-baseline/worker.ts') && c.includes(stack.tag) });
    const baselineRows = async () => {
      const [row] = await stack.sql<{ n: number }[]>`select count(*)::int as n from ${stack.sql(BASELINE_TABLE)}`;
      return row!.n;
    };

    const baselineRound = async (tag: string, n: number) => {
      const before = await baselineRows();
      const started = performance.now();
      await runConcurrent(n, SIGNAL_CONCURRENCY, async (i) => {
        await signalBaseline(stack, `${tag}-${i}`);
      });
      await until(async () => (await baselineRows()) >= before + n, 600_000, 'the baseline rows');
      return (performance.now() - started) / 1000;
    };
    const hubRound = async (tag: string, n: number) => {
      const before = await bench.approvedCount();
      const started = performance.now();
      await runConcurrent(n, HTTP_CONCURRENCY, async (i) => {
        await bench.convert(tag, i);
      });
      await until(async () => (await bench.approvedCount()) >= before + n, 600_000, 'the approved rewards');
      return (performance.now() - started) / 1000;
    };

    await baselineRound('warm', WARMUP);
    await hubRound('warm', WARMUP);

    const baseline: Side = { seconds: 0, operations: 0, cpu: {} };
    const hub: Side = { seconds: 0, operations: 0, cpu: {} };
    for (let round = 0; round < ROUNDS; round++) {
      for (const [side, run] of [
        [baseline, baselineRound],
        [hub, hubRound],
      ] as const) {
        const a = cpu.snapshot();
        const seconds = await run(`r${round}`, TOTAL);
        addCpu(side, a, cpu.snapshot());
        side.seconds += seconds;
        side.operations += TOTAL;
        console.log(`  round ${round + 1} ${side === baseline ? 'baseline' : 'hub     '} ${(TOTAL / seconds).toFixed(1)}/s`);
      }
    }

    const baselineRate = baseline.operations / baseline.seconds;
    const hubRate = hub.operations / hub.seconds;
    console.log(`lifecycle: ${ROUNDS} × ${TOTAL} conversions each side, until every one is approved (baseline: its row is written)`);
    console.log(`  bare Temporal (signalWithStart → 1 activity → 1 row)  ${baselineRate.toFixed(1).padStart(7)} conversions/s`);
    console.log(`  hub (POST → approved reward)                          ${hubRate.toFixed(1).padStart(7)} conversions/s`);
    console.log(`  ratio hub/baseline                                    ${(hubRate / baselineRate).toFixed(2)}   (target ≥ 1.0)`);
    console.log(`  CPU ms per conversion, baseline: ${cpuLine(baseline)}`);
    console.log(`  CPU ms per conversion, hub:      ${cpuLine(hub)}`);
    return { baseline: baselineRate, hub: hubRate, ratio: hubRate / baselineRate };
  } finally {
    await stack.close();
  }
}

function signalBaseline(stack: HubStack, conversionId: string) {
  return stack.client.workflow.signalWithStart<typeof baselineConversion, [{ conversionId: string }]>('baselineConversion', {
    workflowId: `baseline:${conversionId}`,
    taskQueue: BASELINE_QUEUE,
    signal: baselineConversionSignal,
    signalArgs: [{ conversionId }],
  });
}
