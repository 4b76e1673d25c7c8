import { writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { bundleWorkflowCode } from '@temporalio/worker';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
// The bundler reports every webpack step at INFO; a build only needs its warnings and errors.
const quiet = { trace() {}, debug() {}, info() {}, warn: console.warn, error: console.error, log() {} } as never;

/**
 * Bundles the compiled workflows once at build time, into the file a worker started from the
 * build loads (workflows/worker/create-worker.ts's PREBUILT_BUNDLE): bundling at every start
 * costs seconds and keeps the bundler's memory in each worker. Run by `npm run build` after tsc;
 * the argument is tsc's outDir (default dist).
 */
export async function bundleWorkflows(outDir: string): Promise<void> {
  const out = resolve(ROOT, outDir);
  const { code } = await bundleWorkflowCode({ workflowsPath: join(out, 'workflows/sandboxed/index.js'), logger: quiet });
  writeFileSync(join(out, 'workflows/workflow-bundle.js'), code);
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) await bundleWorkflows(process.argv[2] ?? 'dist');
