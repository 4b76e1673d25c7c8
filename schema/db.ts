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

/** One pool per process; callers pass `db` down explicitly (factories over singletons). */
export function createDb(url: string, opts: { max?: number } = {}): DbHandle {
  const sql = postgres(url, {
    max: opts.max ?? 10,
    onnotice: () => {},
    // numeric/bigint stay strings from the driver; drizzle maps the columns it knows.
    connection: { application_name: 'referral-hub' },
  });
  const db = drizzle(sql, { schema: tables });
  return { db, sql, close: () => sql.end({ timeout: 5 }) };
}
