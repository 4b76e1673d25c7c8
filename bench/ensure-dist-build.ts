import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT } from './bench-support.js';

const SOURCES = ['hub', 'workflows', 'connectors', 'schema', 'lib', 'ui', 'temporal.yaml', 'tsconfig.json', 'tsconfig.build.json'];

function newestMtime(path: string): number {
  const stat = statSync(path);
  if (!stat.isDirectory()) return stat.mtimeMs;
  return readdirSync(path).reduce((newest, entry) => Math.max(newest, newestMtime(join(path, entry))), stat.mtimeMs);
}

/**
 * Builds dist/ when it is missing or older than any source it is built from, so a bench that
 * measures memory runs the hub as production does (plain node, no TypeScript loader in the heap).
 */
export function ensureDistBuild(bench: string) {
  // The last thing `npm run build` writes.
  const marker = join(ROOT, 'dist/workflows/workflow-bundle.js');
  const sourcesAt = Math.max(...SOURCES.map((s) => newestMtime(join(ROOT, s))));
  if (existsSync(marker) && statSync(marker).mtimeMs >= sourcesAt) return;
  console.log(`${bench}: dist/ is missing or stale, running \`npm run build\``);
  const build = spawnSync('npm', ['run', 'build'], { cwd: ROOT, stdio: 'inherit' });
  if (build.status !== 0) throw new Error(`npm run build failed (${build.status})`);
}
