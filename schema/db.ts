import { drizzle, type PostgresJsDatabase } from 'drizzle-orm/postgres-js';
import postgres from 'postgres';
import * as tables from './tables/index.js';

export type Db = PostgresJsDatabase<typeof tables>;
export type Sql = postgres.Sql;

export interface DbHandle {
  db: Db;
  sql: Sql;
  close(): Promise<void>;
}

/**
 * One pool per process; callers pass `db` down explicitly (factories over singletons).
 * `statementTimeoutMs` / `idleInTransactionTimeoutMs` put server-side deadlines on every
 * statement and on a transaction left waiting, for processes whose queries are all short.
 */
export function createDb(
  url: string,
  opts: { max?: number; statementTimeoutMs?: number; idleInTransactionTimeoutMs?: number } = {},
): DbHandle {
  const sql = postgres(url, {
    max: opts.max ?? 10,
    onnotice: () => {},
    // numeric/bigint stay strings from the driver; drizzle maps the columns it knows.
    connection: {
      application_name: 'referral-hub',
      ...(opts.statementTimeoutMs ? { statement_timeout: opts.statementTimeoutMs } : {}),
      ...(opts.idleInTransactionTimeoutMs ? { idle_in_transaction_session_timeout: opts.idleInTransactionTimeoutMs } : {}),
    },
  });
  const db = drizzle(sql, { schema: tables });
  return { db, sql, close: () => sql.end({ timeout: 5 }) };
}

/**
 * A single connection of its own (not from the pool), for a loop that must never queue behind
 * the pool's traffic, with a server-side deadline on every statement. Ending it ends the
 * session, which releases any session-level advisory lock it holds.
 */
export function createSession(url: string, opts: { applicationName: string; statementTimeoutMs: number }): Sql {
  return postgres(url, {
    max: 1,
    onnotice: () => {},
    connect_timeout: 10,
    // A backend blocked on a lock never reads its socket: this makes it notice within a second
    // that its client closed the session, so ending the session really frees what it holds.
    connection: {
      application_name: opts.applicationName,
      statement_timeout: opts.statementTimeoutMs,
      client_connection_check_interval: 1000,
    },
  });
}
