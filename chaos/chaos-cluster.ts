import { randomBytes } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { bundleWorkflowCode } from '@temporalio/worker';
import { startChaosPostgres, type ChaosPostgres } from './chaos-postgres.js';
import { startChaosTemporal, type ChaosTemporal } from './chaos-temporal.js';
import { freePort } from './free-port.js';
import type { SeededRandom } from './seeded-random.js';
import { superviseProcess, type SupervisedProcess } from './supervised-process.js';

const WORKFLOWS = fileURLToPath(new URL('../workflows/sandboxed/index.ts', import.meta.url));
const quietBundler = { trace() {}, debug() {}, info() {}, warn() {}, error: console.error, log() {} } as never;

export interface ChaosCluster {
  databaseUrl: string;
  adminKey: string;
  hubUrls: string[];
  hubs: SupervisedProcess[];
  workers: SupervisedProcess[];
  postgres: ChaosPostgres;
  temporal: ChaosTemporal;
  /** Waits until every hub and worker answers again (after faults stop). */
  settle(timeoutMs: number): Promise<void>;
  stop(): Promise<void>;
}

/**
 * Two hubs and two workers (started from source through tsx, as `npm run hub` / `npm run worker`)
 * against one PostgreSQL and one Temporal dev server of the soak's own, all on loopback.
 */
export async function startChaosCluster(dir: string, random: SeededRandom, log: (m: string) => void): Promise<ChaosCluster> {
  log('starting PostgreSQL and the Temporal dev server');
  const postgres = await startChaosPostgres(join(dir, 'pg'), await freePort());
  const temporal = await startChaosTemporal(dir, await freePort(), log);
  // One bundle for every worker start: restarts take a second instead of a webpack build.
  const bundlePath = join(dir, 'workflow-bundle.js');
  writeFileSync(bundlePath, (await bundleWorkflowCode({ workflowsPath: WORKFLOWS, logger: quietBundler })).code);

  const adminKey = `rh_chaos_${randomBytes(16).toString('hex')}`;
  const shared = {
    DATABASE_URL: postgres.url,
    TEMPORAL_ADDRESS: temporal.address,
    TEMPORAL_TASK_QUEUE: 'chaos',
    HUB_SECRET_KEY: randomBytes(32).toString('hex'),
    HUB_ALLOW_PRIVATE_TARGETS: 'true',
    // Retries come back within seconds, so a short soak also sees every recovery through to the end;
    // and no connector is switched off by the faults the soak injects on purpose.
    HUB_SYNC_BACKOFF: '1s,2s,5s',
    HUB_SYNC_DISABLE_AFTER: '1000',
    LOG_LEVEL: 'warn',
  };
  const restartDelayMs = () => random.between(500, 3000);
  const hubPorts = [await freePort(), await freePort()];
  const hubUrls = hubPorts.map((p) => `http://127.0.0.1:${p}`);
  const hubs = hubPorts.map((port, i) =>
    superviseProcess({
      name: `hub-${i + 1}`,
      args: ['hub/main.ts'],
      env: { ...shared, HUB_PORT: String(port), HUB_HOST: '127.0.0.1', HUB_BOOTSTRAP_API_KEY: adminKey, HUB_DB_POOL_SIZE: '16' },
      logFile: join(dir, `hub-${i + 1}.log`),
      ready: async () => (await fetch(`${hubUrls[i]}/healthz`, { signal: AbortSignal.timeout(2000) })).ok,
      restartDelayMs,
      log,
    }),
  );
  const workers = [1, 2].map((n) => {
    const logFile = join(dir, `worker-${n}.log`);
    return superviseProcess({
      name: `worker-${n}`,
      args: ['workflows/worker/main.ts'],
      env: { ...shared, TEMPORAL_WORKFLOW_BUNDLE: bundlePath, LOG_LEVEL: 'info' },
      logFile,
      // The worker has no port: it is up once it has logged that it polls since its last start.
      ready: async () => workerStartedSinceLastExit(logFile),
      restartDelayMs,
      log,
    });
  });
  log('starting 2 hubs and 2 workers');
  for (const hub of hubs) await hub.start();
  await Promise.all(workers.map((w) => w.start()));

  return {
    databaseUrl: postgres.url,
    adminKey,
    hubUrls,
    hubs,
    workers,
    postgres,
    temporal,
    async settle(timeoutMs) {
      await Promise.all([...hubs, ...workers].map((p) => p.waitReady(timeoutMs)));
    },
    async stop() {
      await Promise.all([...hubs, ...workers].map((p) => p.stop()));
      await temporal.stop().catch(() => {});
      await postgres.stop().catch(() => {});
    },
  };
}

async function workerStartedSinceLastExit(logFile: string): Promise<boolean> {
  const { readFile } = await import('node:fs/promises');
  const text = await readFile(logFile, 'utf8').catch(() => '');
  const lastExit = text.lastIndexOf('--- worker-');
  return text.indexOf('worker started', lastExit < 0 ? 0 : lastExit) >= 0;
}
