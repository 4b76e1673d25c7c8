import { randomBytes } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ChildProcess } from 'node:child_process';
import { Client, Connection } from '@temporalio/client';
import { bundleWorkflowCode, DefaultLogger } from '@temporalio/worker';
import protos from '@temporalio/proto';
import postgres from 'postgres';
import { Agent, request } from 'undici';
import { findTemporalCli } from '../lib/find-temporal-cli.js';
import { startTemporalDevServer, type RunningDevServer } from '../lib/start-temporal-dev-server.js';
import { loadTemporalSettings } from '../lib/temporal-settings.js';
import { WORKFLOWS_PATH } from '../workflows/worker/create-worker.js';
import { benchDatabase, startProcess } from './bench-support.js';
import { POSTGRES, TEMPORAL } from './process-cpu.js';

export interface HubStack {
  base: string;
  sql: postgres.Sql;
  databaseUrl: string;
  temporal: RunningDevServer;
  client: Client;
  lifecycleQueue: string;
  /**
   * CPU meter parties for this run's own processes only: other benchmarks may be running hubs,
   * workers, Temporal servers and databases on the same box at the same time.
   */
  parties: Record<'temporal' | 'hub' | 'worker' | 'postgres', (cmdline: string) => boolean>;
  /** A marker argument that tags a process of this run (see `mine`). */
  tag: string;
  post(path: string, body: unknown): Promise<any>;
  get(path: string): Promise<any>;
  /** Starts a process and waits until it polls `taskQueue` (a worker is ready once Temporal sees its pollers). */
  startWorkerProcess(args: string[], env: Record<string, string>, taskQueue: string): Promise<ChildProcess>;
  close(): Promise<void>;
}

/**
 * A fresh database, the embedded Temporal dev server, the hub and its worker as separate
 * processes (as production runs them), and an HTTP client with the bootstrap admin key: what
 * the lifecycle and latency benchmarks share.
 */
export async function startHubStack(opts: { httpConnections: number }): Promise<HubStack> {
  const key = `rh_bench_${randomBytes(16).toString('hex')}`;
  const secret = randomBytes(32).toString('hex');
  const db = await benchDatabase();
  const settings = loadTemporalSettings();
  const temporal = await startTemporalDevServer(await findTemporalCli(settings), settings, { port: 17_233 + (process.pid % 1000) });
  const connection = await Connection.connect({ address: temporal.address });
  const client = new Client({ connection, namespace: settings.namespace });
  const port = 18_000 + (process.pid % 1000);
  const base = `http://127.0.0.1:${port}`;
  const common = { DATABASE_URL: db.url, TEMPORAL_ADDRESS: temporal.address, HUB_SECRET_KEY: secret, LOG_LEVEL: 'warn' };
  const children: ChildProcess[] = [];
  // An extra argument the scripts ignore, so /proc/<pid>/cmdline tells this run's processes apart.
  const tag = `--bench-run=${process.pid}`;
  const dbName = new URL(db.url).pathname.slice(1);
  const temporalPort = `--port ${temporal.address.split(':')[1]} `;

  const polled = async (taskQueue: string) => {
    const res = await client.workflowService.describeTaskQueue({
      namespace: settings.namespace,
      taskQueue: { name: taskQueue },
      taskQueueType: protos.temporal.api.enums.v1.TaskQueueType.TASK_QUEUE_TYPE_WORKFLOW,
    });
    return (res.pollers?.length ?? 0) > 0;
  };
  const startWorkerProcess = async (args: string[], env: Record<string, string>, taskQueue: string) => {
    const child = await startProcess([...args, tag], { ...common, ...env }, () => polled(taskQueue));
    children.push(child);
    return child;
  };

  children.push(
    await startProcess(
      ['hub/main.ts', tag],
      { ...common, HUB_PORT: String(port), HUB_HOST: '127.0.0.1', HUB_BOOTSTRAP_API_KEY: key },
      async () => (await fetch(`${base}/healthz`)).ok,
    ),
  );
  // Bundled here, once: a worker bundling at start takes longer than its start budget on a busy box.
  await startWorkerProcess(
    ['workflows/worker/main.ts'],
    { TEMPORAL_WORKFLOW_BUNDLE: await writeWorkflowBundle(WORKFLOWS_PATH) },
    settings.taskQueues.lifecycle,
  );

  const sql = postgres(db.url, { max: 4, onnotice: () => {} });
  const agent = new Agent({ connections: opts.httpConnections, pipelining: 1 });
  const call = async (method: 'GET' | 'POST', path: string, body?: unknown) => {
    const res = await request(`${base}${path}`, {
      method,
      dispatcher: agent,
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
    });
    const text = await res.body.text();
    if (res.statusCode >= 300) throw new Error(`${method} ${path} → ${res.statusCode} ${text}`);
    return JSON.parse(text);
  };

  return {
    base,
    sql,
    databaseUrl: db.url,
    temporal,
    client,
    lifecycleQueue: settings.taskQueues.lifecycle,
    tag,
    parties: {
      temporal: (c) => TEMPORAL(c) && c.includes(temporalPort),
      hub: (c) => c.includes('hub/main.ts') && c.includes(tag),
      worker: (c) => c.includes('workflows/worker/main.ts') && c.includes(tag),
      // This database's backends; the server's shared processes (WAL writer, checkpointer) serve every run on the box.
      postgres: (c) => POSTGRES(c) && c.includes(` ${dbName} `),
    },
    post: (path, body) => call('POST', path, body),
    get: (path) => call('GET', path),
    startWorkerProcess,
    async close() {
      await agent.close();
      await sql.end();
      for (const child of children.reverse()) {
        if (child.exitCode !== null) continue;
        child.kill('SIGTERM');
        await new Promise((r) => child.once('exit', r));
      }
      await connection.close();
      await temporal.stop();
      await db.drop();
    },
  };
}

/** Bundles a workflows file into a temporary file a worker can load with `{ codePath }`. */
export async function writeWorkflowBundle(workflowsPath: string): Promise<string> {
  const { code } = await bundleWorkflowCode({ workflowsPath, logger: new DefaultLogger('WARN') });
  const file = join(mkdtempSync(join(tmpdir(), 'rh-bench-bundle-')), 'workflows.js');
  writeFileSync(file, code);
  return file;
}

/**
 * A program whose one rule rewards a conversion at once (no hold, auto approval), and its members.
 * autoPay is off so each approval plans a `pending` payout and starts no payout workflow: the
 * figure is the referral lifecycle's, not the payout machinery's.
 */
export async function benchProgram(stack: HubStack, memberCount: number) {
  const program = await stack.post('/api/v1/programs', {
    name: 'Lifecycle bench',
    slug: `lifecycle-${randomBytes(4).toString('hex')}`,
    landingUrl: 'https://bench.example',
    rewardRules: [{ name: 'c', trigger: 'conversion', recipient: 'member', amount: { type: 'fixed', value: 1 }, kind: 'cash' }],
    payouts: { autoPay: false },
  });
  const members: { id: string; referralCode: string }[] = [];
  for (let i = 0; i < memberCount; i++)
    members.push(await stack.post('/api/v1/members', { programId: program.id, email: `m${i}@bench.example`, firstName: 'Ben' }));
  /** POSTs conversion `tag-i`; resolves to the referral. */
  const convert = (tag: string, i: number): Promise<{ id: string }> =>
    stack.post('/api/v1/conversions', {
      programId: program.id,
      referralCode: members[i % members.length]!.referralCode,
      email: `${tag}-${i}@friends.example`,
      firstName: 'Friend',
      amount: 42,
      currency: 'USD',
      source: 'checkout',
    });
  const approvedCount = async () => {
    const [row] = await stack.sql<
      { n: number }[]
    >`select count(*)::int as n from rewards where program_id = ${program.id} and status = 'approved'`;
    return row!.n;
  };
  return { program, members, convert, approvedCount };
}
