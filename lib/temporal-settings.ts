import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';
import { z } from 'zod';

const settingsSchema = z.object({
  cli: z.object({ version: z.string(), module: z.string() }),
  namespace: z.string(),
  taskQueues: z.object({ lifecycle: z.string() }),
  devServer: z.object({
    dbFile: z.string(),
    sqlitePragmas: z.record(z.string(), z.string()),
    dynamicConfig: z.record(z.string(), z.unknown()),
    testDynamicConfig: z.record(z.string(), z.unknown()).default({}),
    searchAttributes: z.record(z.string(), z.enum(['Text', 'Keyword', 'Int', 'Double', 'Bool', 'Datetime', 'KeywordList'])),
  }),
});

export type TemporalSettings = z.infer<typeof settingsSchema>;

const FILE = fileURLToPath(new URL('../temporal.yaml', import.meta.url));

export function loadTemporalSettings(file: string = FILE): TemporalSettings {
  return settingsSchema.parse(parse(readFileSync(file, 'utf8')));
}

/** `temporal server start-dev` flags for the settings (dbFile undefined → in-memory). */
export function devServerArgs(s: TemporalSettings, opts: { port: number; uiPort?: number; dbFile?: string; forTests?: boolean }): string[] {
  const args = [
    'server',
    'start-dev',
    '--ip',
    '127.0.0.1',
    '--port',
    String(opts.port),
    '--namespace',
    s.namespace,
    '--log-level',
    'error',
  ];
  if (opts.uiPort) args.push('--ui-port', String(opts.uiPort));
  else args.push('--headless');
  if (opts.dbFile) {
    args.push('--db-filename', opts.dbFile);
    for (const [k, v] of Object.entries(s.devServer.sqlitePragmas)) args.push('--sqlite-pragma', `${k}=${v}`);
  }
  const dyn = { ...s.devServer.dynamicConfig, ...(opts.forTests ? s.devServer.testDynamicConfig : {}) };
  for (const [k, v] of Object.entries(dyn)) args.push('--dynamic-config-value', `${k}=${JSON.stringify(v)}`);
  for (const [k, v] of Object.entries(s.devServer.searchAttributes)) args.push('--search-attribute', `${k}=${v}`);
  return args;
}
