import { chmodSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import postgres from 'postgres';
import { startChaosCluster } from './chaos-cluster.js';
import { startFaults } from './chaos-faults.js';
import { emptyLedger, startLoad } from './chaos-load.js';
import { verifySoak, type CheckRow } from './chaos-verify.js';
import { createWorld, startReceivers } from './chaos-world.js';
import { createHubClient } from './hub-client.js';
import { printTable } from './print-table.js';
import { seededRandom } from './seeded-random.js';

export interface SoakOptions {
  minutes: number;
  seed: number;
  perSecond: number;
  /** How long the system may take to catch up once the faults stop. */
  settleMinutes: number;
  /** Seconds between faults, [min, max]. */
  faultGap: [number, number];
  scheduleEvery: string;
}

/**
 * The whole soak: a cluster, receivers and a world; load and faults for `minutes`; then the
 * faults stop and it waits (bounded) until every check holds or the time is up. Returns whether
 * every check held.
 */
export async function runSoak(options: SoakOptions): Promise<boolean> {
  const started = Date.now();
  const stamp = () => `[${((Date.now() - started) / 1000).toFixed(0).padStart(4)} s]`;
  const log = (m: string) => console.log(`${stamp()} ${m}`);
  const dir = mkdtempSync(join(tmpdir(), 'rh-chaos-'));
  // PostgreSQL runs as the `postgres` system user when we are root: it must reach its data folder.
  chmodSync(dir, 0o755);
  const random = seededRandom(options.seed);
  log(`seed ${options.seed}; logs and data in ${dir}`);
  const receivers = await startReceivers();
  const cluster = await startChaosCluster(dir, random, log);
  // Ctrl-C or a CI timeout: the hubs, workers and servers are our children and would outlive us.
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.once(signal, () => {
      log(`${signal}: stopping every process the soak started`);
      void cluster.stop().finally(() => process.exit(130));
    });
  }
  const sql = postgres(cluster.databaseUrl, { max: 2, onnotice: () => {} });
  try {
    const client = createHubClient(cluster.hubUrls, cluster.adminKey);
    const world = await createWorld(client, receivers, options.scheduleEvery);
    log(`load: ${options.perSecond}/s for ${options.minutes} min, faults every ${options.faultGap.join('–')} s`);
    const ledger = emptyLedger();
    const load = startLoad(client, world, ledger, random, options.perSecond);
    const faults = startFaults(cluster, receivers, random, log, options.faultGap);
    await new Promise((r) => setTimeout(r, options.minutes * 60_000));
    log('load and faults stop; waiting for every request to be answered');
    await faults.stop();
    await cluster.settle(120_000);
    await load.stop(120_000);

    log(`checking until everything has caught up (at most ${options.settleMinutes} min)`);
    const deadline = Date.now() + options.settleMinutes * 60_000;
    let rows: CheckRow[] = [];
    let nudged = false;
    let lastReport = Date.now();
    for (;;) {
      rows = await verifySoak(sql, world, ledger, receivers);
      if (rows.every((r) => r.ok) || Date.now() > deadline) break;
      if (Date.now() - lastReport > 30_000) {
        lastReport = Date.now();
        log(
          `still catching up: ${rows
            .filter((r) => !r.ok)
            .map((r) => `${r.check} (${r.actual})`)
            .join('; ')}`,
        );
      }
      // The last records reach the partner with the next run; ask for one rather than wait for the interval.
      if (!nudged && rows.slice(0, -2).every((r) => r.ok)) {
        nudged = true;
        await client.call('POST', `/api/v1/schedules/${world.scheduleId}/run`, {});
      }
      await new Promise((r) => setTimeout(r, 5000));
    }

    const sent = [...ledger.conversions.values(), ...ledger.renewals.values(), ...ledger.refunds.values()];
    const retried = sent.filter((r) => r.attempts > 1).length;
    console.log(
      `\n${stamp()} ${sent.length} requests (${ledger.conversions.size} conversions, ${ledger.renewals.size} renewals, ${ledger.refunds.size} refunds), ${retried} answered only after retries, ${ledger.skippedTicks} ticks skipped (64 in flight)`,
    );
    const faultCounts = new Map<string, number>();
    for (const f of faults.done) faultCounts.set(f.kind, (faultCounts.get(f.kind) ?? 0) + 1);
    console.log(`faults: ${[...faultCounts].map(([k, n]) => `${k} ×${n}`).join(', ')}`);
    const processes = [...cluster.hubs, ...cluster.workers];
    console.log(
      `restarts: ${processes.map((p) => `${p.name} ${p.restarts}${p.unexpectedExits ? ` (${p.unexpectedExits} by itself)` : ''}`).join(', ')}; temporal exited by itself ${cluster.temporal.unexpectedExits}×\n`,
    );
    console.log(
      printTable(
        ['check', 'expected', 'actual', 'repeats', 'result'],
        rows.map((r) => [r.check, r.expected, r.actual, r.repeats, r.ok ? 'ok' : 'VIOLATION']),
      ),
    );
    for (const r of rows.filter((r) => r.detail)) console.log(`  ${r.ok ? 'note' : 'VIOLATION'} · ${r.check}: ${r.detail}`);
    const ok = rows.every((r) => r.ok);
    console.log(ok ? '\nchaos soak passed' : `\nchaos soak FAILED (logs in ${dir})`);
    return ok;
  } finally {
    await sql.end({ timeout: 5 });
    await cluster.stop();
    await receivers.close();
  }
}
