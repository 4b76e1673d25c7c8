import { afterEach, expect, it, vi } from 'vitest';
import { inject } from 'vitest';
import { loadConfig } from '../../lib/config.js';
import { createLogger } from '../../lib/logger.js';
import { runHub } from '../../hub/run-hub.js';
import { createTestDatabase } from '../support/test-database.js';

const logger = createLogger('silent');
const running: { stop(): Promise<void> }[] = [];
afterEach(async () => {
  for (const hub of running.splice(0)) await hub.stop();
  vi.restoreAllMocks();
});

/** Starts the production hub on a free port; returns it and what it printed to stdout. */
async function startHub(databaseUrl: string, env: Record<string, string> = {}) {
  const printed: string[] = [];
  const write = process.stdout.write.bind(process.stdout);
  vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array, ...rest: unknown[]) => {
    printed.push(String(chunk));
    return write(chunk, ...(rest as []));
  });
  const config = loadConfig({ HUB_PORT: '0', HUB_HOST: '127.0.0.1', LOG_LEVEL: 'silent', ...env });
  const hub = await runHub(
    { ...config, DATABASE_URL: databaseUrl, TEMPORAL_ADDRESS: inject('temporalAddress'), HUB_SECRET_KEY: 'first-start-test-secret' },
    logger,
  );
  running.push(hub);
  vi.restoreAllMocks();
  return { hub, printed: printed.join('') };
}

const get = (port: number, path: string, key: string) =>
  fetch(`http://127.0.0.1:${port}${path}`, { headers: { authorization: `Bearer ${key}` } });

it('the first start creates one admin key and prints it once; the next start prints none and the key still works', async () => {
  const databaseUrl = await createTestDatabase();
  const first = await startHub(databaseUrl);
  const key = /shown only this once:\s+(\S+)/.exec(first.printed)?.[1];
  expect(key, first.printed).toMatch(/^rh_/);

  const keys = await get(first.hub.port, '/api/v1/api-keys', key!);
  expect(keys.status).toBe(200);
  const listed = (await keys.json()) as { data: { name: string; scopes: string[]; programIds: string[] }[] };
  expect(listed.data).toMatchObject([{ name: 'first admin key', scopes: ['admin'], programIds: [] }]);
  // Only the hash is stored, never the key.
  expect(JSON.stringify(listed)).not.toContain(key);
  await first.hub.stop();
  running.splice(0);

  const second = await startHub(databaseUrl);
  expect(second.printed).not.toContain('API key');
  expect((await get(second.hub.port, '/api/v1/programs', key!)).status).toBe(200);
  const again = (await (await get(second.hub.port, '/api/v1/api-keys', key!)).json()) as { data: unknown[] };
  expect(again.data).toHaveLength(1);
});

it('with HUB_BOOTSTRAP_API_KEY set no key is created or printed', async () => {
  const databaseUrl = await createTestDatabase();
  const bootstrap = 'rh_bootstrap_key_for_first_start_test';
  const { hub, printed } = await startHub(databaseUrl, { HUB_BOOTSTRAP_API_KEY: bootstrap });
  expect(printed).not.toContain('API key');
  const keys = await get(hub.port, '/api/v1/api-keys', bootstrap);
  expect(keys.status).toBe(200);
  expect(((await keys.json()) as { data: unknown[] }).data).toEqual([]);
});
