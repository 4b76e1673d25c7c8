import { cpSync, mkdirSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('..', import.meta.url));

/**
 * What `tsc` does not emit but the compiled code reads next to itself: the SQL migrations
 * (schema/migrate.ts), temporal.yaml (lib/temporal-settings.ts) and the referral.js source the hub builds when first asked for it. Run after tsc by
 * `npm run build`; the argument is tsc's outDir (default dist).
 */
export function copyBuildAssets(outDir: string): void {
  const out = resolve(ROOT, outDir);
  for (const path of ['schema/migrations', 'temporal.yaml', 'ui/referral.ts']) {
    mkdirSync(dirname(join(out, path)), { recursive: true });
    cpSync(join(ROOT, path), join(out, path), { recursive: true });
  }
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) copyBuildAssets(process.argv[2] ?? 'dist');
