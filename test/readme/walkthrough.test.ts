import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, expect, inject, it } from 'vitest';
import { loadConfig } from '../../lib/config.js';
import { createLogger } from '../../lib/logger.js';
import { runHub } from '../../hub/run-hub.js';
import { runWorker } from '../../workflows/worker/run-worker.js';
import { createTestDatabase } from '../support/test-database.js';

const README = fileURLToPath(new URL('../../README.md', import.meta.url));
const KEY = `rh_readme_${randomUUID().replace(/-/g, '')}`;
let hub: Awaited<ReturnType<typeof runHub>>;
let worker: Awaited<ReturnType<typeof runWorker>>;

/** The bash block right after the walkthrough marker, exactly as a reader copies it. */
function walkthroughBlock(): string {
  const text = readFileSync(README, 'utf8');
  const match = /<!-- walkthrough[^>]*-->\s*```bash\n([\s\S]*?)```/.exec(text);
  if (!match) throw new Error('README has no walkthrough block');
  return match[1]!;
}

beforeAll(async () => {
  // The real production entry points, as `npm start` wires them, on a fresh database.
  const config = {
    ...loadConfig({
      HUB_PORT: '0',
      HUB_HOST: '127.0.0.1',
      HUB_BOOTSTRAP_API_KEY: KEY,
      HUB_SECRET_KEY: 'readme-test-secret',
      TEMPORAL_TASK_QUEUE: `readme-${randomUUID()}`,
      LOG_LEVEL: 'silent',
    }),
    DATABASE_URL: await createTestDatabase(),
    TEMPORAL_ADDRESS: inject('temporalAddress'),
    HUB_SECRET_KEY: 'readme-test-secret',
  };
  hub = await runHub(config, createLogger('silent'));
  worker = await runWorker(config, createLogger('silent'));
});
afterAll(async () => {
  await worker?.stop();
  await hub?.stop();
});

it('the README curl walkthrough works verbatim', async () => {
  const { stdout } = await promisify(execFile)('bash', ['-euo', 'pipefail', '-c', walkthroughBlock()], {
    env: { ...process.env, HUB: `http://127.0.0.1:${hub.port}`, KEY },
    timeout: 60_000,
  });
  expect(stdout).toMatch(/^program: prg_\w+$/m);
  expect(stdout).toMatch(/^click: 302 -> https:\/\/acme\.example\/welcome\?ref=[A-Z0-9]+$/m);
  expect(stdout).toMatch(/^referral: ref_\w+$/m);
  expect(stdout).toMatch(/\{"eventId":"bev_\w+"\}/);
  const rewards = JSON.parse(stdout.trim().split('\n').at(-1)!).data;
  expect(rewards.map((r: { amount: number; kind: string; status: string }) => [r.amount, r.kind, r.status]).sort()).toEqual([
    [10, 'coupon', 'approved'],
    [20, 'cash', 'approved'],
    [3, 'cash', 'approved'],
  ]);
});
