import { customType, timestamp } from 'drizzle-orm/pg-core';

/** timestamptz as a JS Date; every table uses the same flavour. */
export const tstz = (name: string) => timestamp(name, { withTimezone: true, mode: 'date' });

/**
 * PostgreSQL xid8 (a 64-bit transaction id). The event log orders by the writing transaction's
 * id and only reads below the oldest running transaction, so a row that commits late is never
 * skipped. Kept as text in JS because it exceeds 2^53.
 */
export const xid8 = customType<{ data: string; driverData: string }>({
  dataType: () => 'xid8',
});
