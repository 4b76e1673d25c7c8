import { createDb, createSession } from '../../schema/db.js';

// Run as a child process by a test: pooled queries and one long-lived session (as the
// dispatcher holds) in a loop against DATABASE_URL, each error caught as application code would.
// It prints `ok <n>` every 200 ms so the test sees it alive and making progress; a crash of the
// driver itself ends the process, which is what the test watches for.
const url = process.env.DATABASE_URL!;
const { sql } = createDb(url, { max: 8 });
const session = createSession(url, { applicationName: 'load-session', statementTimeoutMs: 5_000 });
let succeeded = 0;
let stopping = false;

async function loop(run: () => Promise<unknown>) {
  while (!stopping) {
    try {
      await run();
      succeeded++;
    } catch {
      await new Promise((r) => setTimeout(r, 20));
    }
  }
}

const loops = [
  ...Array.from({ length: 8 }, () => loop(() => sql`select ${succeeded}::int as n, pg_sleep(0.002)`)),
  loop(() => session`select pg_backend_pid()`),
  loop(async () => {
    const reserved = await sql.reserve();
    try {
      await reserved`select 1`;
      await reserved`select 2`;
    } finally {
      reserved.release();
    }
  }),
];
const timer = setInterval(() => console.log(`ok ${succeeded}`), 200);
process.once('SIGTERM', () => {
  stopping = true;
  clearInterval(timer);
  void Promise.all(loops).then(() => process.exit(0));
});
