import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { temporal } from '@temporalio/proto';
import { DefaultLogger, Runtime, Worker } from '@temporalio/worker';
import { expect, inject, it } from 'vitest';
import * as workflows from '../../workflows/sandboxed/index.js';

/**
 * Referral workflows live for a year and connector syncs as long as their connector: a release
 * must replay what older releases recorded. Every history under test/histories/<type>/ (written
 * by `npm run histories:record`) is replayed against the current workflow code; a
 * non-deterministic change fails here, where it needs `patched()`, not in production.
 */
// Replay workers log each start and stop at INFO; only problems belong in the test output.
Runtime.install({ logger: new DefaultLogger('WARN') });

const root = join(dirname(fileURLToPath(import.meta.url)), '..', 'histories');
const types = readdirSync(root).filter((name) => statSync(join(root, name)).isDirectory());
const filesOf = (type: string) => readdirSync(join(root, type)).filter((f) => f.endsWith('.binpb'));

it('every workflow type has at least one recorded history', () => {
  expect(types.sort()).toEqual(Object.keys(workflows).sort());
  for (const type of types) expect(filesOf(type).length, type).toBeGreaterThan(0);
});

it('every recorded history replays against the current workflow code', async () => {
  const histories = types.flatMap((type) =>
    filesOf(type).map((file) => ({
      workflowId: `${type}/${file}`,
      history: temporal.api.history.v1.History.decode(readFileSync(join(root, type, file))),
    })),
  );
  const failures: string[] = [];
  let replayed = 0;
  for await (const result of Worker.runReplayHistories({ workflowBundle: { codePath: inject('workflowBundlePath') } }, histories)) {
    replayed++;
    if (result.error) failures.push(`${result.workflowId}: ${result.error.message}`);
  }
  expect(replayed).toBe(histories.length);
  expect(failures).toEqual([]);
}, 120_000);
