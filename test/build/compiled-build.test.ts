import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { randomBytes, randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import postgres from 'postgres';
import { afterAll, beforeAll, expect, inject, it } from 'vitest';
import { bundleWorkflows } from '../../lib/bundle-workflows.js';
import { copyBuildAssets } from '../../lib/copy-build-assets.js';
import { withDatabase } from '../global-setup.js';
import { waitFor } from '../support/hub-harness.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const KEY = `rh_build_${randomBytes(16).toString('hex')}`;
const run = promisify(execFile);

let out: string;
let databaseUrl: string;
let dropDatabase: () => Promise<void>;
const children: ChildProcess[] = [];

/** `node <file>` from the compiled tree, as a production image without tsx would run it. */
function start(file: string, env: Record<string, string>): ChildProcess {
  const child = spawn(process.execPath, [join(out, file)], {
    cwd: out,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  child.stdout!.resume();
  children.push(child);
  return child;
}

beforeAll(async () => {
  // What `npm run build` does, into a folder of its own: tsc, the files tsc does not emit, then
  // the workflow bundle the compiled worker loads instead of bundling at start.
  out = mkdtempSync(join(tmpdir(), 'rh-build-'));
  await run(process.execPath, [join(ROOT, 'node_modules/typescript/bin/tsc'), '-p', join(ROOT, 'tsconfig.build.json'), '--outDir', out], {
    cwd: ROOT,
  });
  copyBuildAssets(out);
  symlinkSync(join(ROOT, 'node_modules'), join(out, 'node_modules'), 'dir');
  await bundleWorkflows(out);
  // An empty database: the compiled hub must find and apply the migrations itself.
  const admin = postgres(inject('adminDatabaseUrl'), { max: 1, onnotice: () => {} });
  const name = `rh_build_${randomBytes(4).toString('hex')}`;
  await admin.unsafe(`create database ${name}`);
  databaseUrl = withDatabase(inject('adminDatabaseUrl'), name);
  dropDatabase = async () => {
    await admin.unsafe(`drop database if exists ${name} with (force)`);
    await admin.end();
  };
}, 240_000);

afterAll(async () => {
  for (const child of children) if (child.exitCode === null) child.kill('SIGKILL');
  await dropDatabase?.();
  if (out) rmSync(out, { recursive: true, force: true });
});

it('the compiled build runs on plain node: the hub migrates and serves, the worker runs the reward rules', async () => {
  const port = 20_000 + (process.pid % 5000);
  const env = {
    DATABASE_URL: databaseUrl,
    TEMPORAL_ADDRESS: inject('temporalAddress'),
    TEMPORAL_TASK_QUEUE: `build-${randomUUID()}`,
    HUB_SECRET_KEY: 'compiled-build-secret',
    HUB_BOOTSTRAP_API_KEY: KEY,
    HUB_PORT: String(port),
    HUB_HOST: '127.0.0.1',
    LOG_LEVEL: 'error',
  };
  start('hub/main.js', env);
  start('workflows/worker/main.js', env);
  const base = `http://127.0.0.1:${port}`;
  await waitFor(async () => (await fetch(`${base}/readyz`).catch(() => undefined))?.status === 200, 60_000, 'the compiled hub');
  const api = async (path: string, body: unknown) => {
    const res = await fetch(`${base}${path}`, {
      method: 'POST',
      headers: { authorization: `Bearer ${KEY}`, 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
    return { status: res.status, body: (await res.json()) as any };
  };
  const program = await api('/api/v1/programs', {
    name: 'Built',
    slug: 'built',
    landingUrl: 'https://built.example',
    rewardRules: [{ name: 'Bonus', trigger: 'conversion', recipient: 'member', amount: { type: 'fixed', value: 5 }, kind: 'cash' }],
  });
  expect(program.status, JSON.stringify(program.body)).toBe(201);
  const member = await api('/api/v1/members', { programId: program.body.id, email: 'ann@built.example' });
  const referral = await api('/api/v1/conversions', {
    programId: program.body.id,
    referralCode: member.body.referralCode,
    email: 'bob@built.example',
  });
  expect(referral.status).toBe(201);
  // The compiled worker loads the bundle built from the compiled workflows and runs the lifecycle.
  const rewards = await waitFor(
    async () => {
      const res = await fetch(`${base}/api/v1/rewards?referralId=${referral.body.id}`, { headers: { authorization: `Bearer ${KEY}` } });
      const page = (await res.json()) as { data: { status: string; amount: string | number }[] };
      return page.data.length === 1 && page.data[0]!.status === 'approved' ? page.data : undefined;
    },
    90_000,
    'the reward from the compiled worker',
  );
  expect(Number(rewards[0]!.amount)).toBe(5);
  // The console from the build: its sign-in page, stylesheet and htmx (from node_modules) are served.
  const login = await fetch(`${base}/login`);
  expect(login.status).toBe(200);
  const html = await login.text();
  const css = /href="(\/ui\/assets\/console\.[\w]+\.css)"/.exec(html)![1]!;
  expect((await fetch(`${base}${css}`)).status).toBe(200);
  expect((await fetch(`${base}/ui`, { redirect: 'manual' })).headers.get('location')).toMatch(/^\/login/);
  const { HTMX_PATH } = await import('../../ui/console/console-assets.js');
  const htmx = await fetch(`${base}${HTMX_PATH}`);
  expect(htmx.status).toBe(200);
  expect(await htmx.text()).toContain('htmx');
}, 180_000);
