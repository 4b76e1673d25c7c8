import { mkdtempSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { bundleWorkflowCode } from '@temporalio/worker';
import postgres from 'postgres';
import type { TestProject } from 'vitest/node';
import { findTemporalCli } from '../lib/find-temporal-cli.js';
import { startTemporalDevServer } from '../lib/start-temporal-dev-server.js';
import { loadTemporalSettings } from '../lib/temporal-settings.js';
import { runMigrations } from '../schema/migrate.js';
import { WORKFLOWS_PATH } from '../workflows/worker/create-worker.js';

declare module 'vitest' {
  export interface ProvidedContext {
    adminDatabaseUrl: string;
    templateDatabase: string;
    temporalAddress: string;
    temporalCliPath: string;
    workflowBundlePath: string;
  }
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as { port: number };
      srv.close(() => resolve(port));
    });
    srv.on('error', reject);
  });
}

/** Swaps the database name in a postgres URL. */
export function withDatabase(url: string, name: string): string {
  const u = new URL(url);
  u.pathname = `/${name}`;
  return u.toString();
}

/**
 * Once per `npm test`: a migrated template database (each test file clones it, so files never
 * see each other's rows or inbox), one Temporal dev server, and one workflow bundle.
 */
export default async function setup(project: TestProject) {
  const adminUrl = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
  const admin = postgres(adminUrl, { max: 1, onnotice: () => {} });
  const template = `rh_tpl_${process.pid}_${Date.now()}`;
  await admin.unsafe(`create database ${template}`);
  await runMigrations(withDatabase(adminUrl, template));

  const settings = loadTemporalSettings();
  const cli = await findTemporalCli(settings);
  const server = await startTemporalDevServer(cli, settings, { port: await freePort(), forTests: true });

  const bundle = await bundleWorkflowCode({
    workflowsPath: WORKFLOWS_PATH,
    logger: { trace() {}, debug() {}, info() {}, warn: console.warn, error: console.error, log() {} } as never,
  });
  const dir = mkdtempSync(join(tmpdir(), 'rh-bundle-'));
  const bundlePath = join(dir, 'workflow-bundle.js');
  writeFileSync(bundlePath, bundle.code);

  project.provide('adminDatabaseUrl', adminUrl);
  project.provide('templateDatabase', template);
  project.provide('temporalAddress', server.address);
  project.provide('temporalCliPath', cli);
  project.provide('workflowBundlePath', bundlePath);

  return async () => {
    await server.stop();
    // Drop every database this run cloned (their names start with the template's).
    const dbs = await admin<
      { datname: string }[]
    >`select datname from pg_database where datname like ${`${template}%`} or datname like ${`rh_t_${process.pid}_%`}`;
    for (const { datname } of dbs) await admin.unsafe(`drop database if exists ${datname} with (force)`);
    await admin.end();
  };
}
