import { execFile } from 'node:child_process';
import { accessSync, constants, mkdirSync } from 'node:fs';
import { homedir } from 'node:os';
import { delimiter, join } from 'node:path';
import { promisify } from 'node:util';
import type { TemporalSettings } from './temporal-settings.js';

const run = promisify(execFile);

function executable(path: string): boolean {
  try {
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/** Per-user cache outside the clone, so fresh clones and CI runs reuse one build. */
export function cliCacheDir(): string {
  return join(process.env.XDG_CACHE_HOME ?? join(homedir(), '.cache'), 'referral-hub', 'bin');
}

/**
 * Finds the Temporal CLI in this order: TEMPORAL_CLI_PATH, `temporal` on PATH,
 * the per-user cache, else builds it there with `go install` (minutes the first time).
 */
export async function findTemporalCli(settings: TemporalSettings, log: (msg: string) => void = console.log): Promise<string> {
  const fromEnv = process.env.TEMPORAL_CLI_PATH;
  if (fromEnv) {
    if (!executable(fromEnv)) throw new Error(`TEMPORAL_CLI_PATH=${fromEnv} is not an executable file`);
    return fromEnv;
  }
  for (const dir of (process.env.PATH ?? '').split(delimiter)) {
    if (dir && executable(join(dir, 'temporal'))) return join(dir, 'temporal');
  }
  const cacheDir = cliCacheDir();
  const cached = join(cacheDir, 'temporal');
  if (executable(cached)) return cached;

  const go = ['go', '/usr/local/go/bin/go'].find((g) =>
    g === 'go' ? (process.env.PATH ?? '').split(delimiter).some((d) => executable(join(d, 'go'))) : executable(g),
  );
  if (!go)
    throw new Error('Temporal CLI not found and Go is not installed: set TEMPORAL_CLI_PATH, put `temporal` on PATH, or install Go ≥ 1.25');
  mkdirSync(cacheDir, { recursive: true });
  const target = `${settings.cli.module}@${settings.cli.version}`;
  log(`Building the Temporal CLI (${target}) into ${cacheDir}; the first build takes several minutes…`);
  await run(
    go,
    ['install', '-ldflags', `-s -w -X github.com/temporalio/cli/temporalcli.Version=${settings.cli.version.replace(/^v/, '')}`, target],
    {
      env: { ...process.env, GOBIN: cacheDir, CGO_ENABLED: '0', GOFLAGS: '-trimpath' },
      maxBuffer: 64 * 1024 * 1024,
    },
  );
  if (!executable(cached)) throw new Error(`go install finished but ${cached} is missing`);
  return cached;
}
