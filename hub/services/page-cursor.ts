import { ApiError } from '../http/api-error.js';

/** Opaque cursors: base64url JSON of the sort key of the last row returned. */
export function encodeCursor(key: unknown[]): string {
  return Buffer.from(JSON.stringify(key)).toString('base64url');
}

/**
 * The sort key of a cursor, or undefined without one. `timeFirst`: the first part is a timestamp,
 * which must parse, or the query would be built with an invalid date.
 */
export function decodeCursor(cursor: string | undefined, arity: number, opts: { timeFirst?: boolean } = {}): unknown[] | undefined {
  if (cursor === undefined) return undefined;
  try {
    const key = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as unknown;
    if (
      Array.isArray(key) &&
      key.length === arity &&
      key.every((k) => typeof k === 'string') &&
      (!opts.timeFirst || Number.isFinite(Date.parse(key[0] as string)))
    )
      return key;
  } catch {
    /* fall through */
  }
  throw new ApiError('validation_failed', 'Invalid cursor', [{ path: 'cursor', message: 'not a cursor returned by this API' }]);
}

/** Returns the page and the cursor for the next one (limit+1 rows were fetched to know). */
export function pageOf<T>(rows: T[], limit: number, keyOf: (row: T) => unknown[]) {
  const data = rows.slice(0, limit);
  const last = data.at(-1);
  return { data, nextCursor: rows.length > limit && last ? encodeCursor(keyOf(last)) : null };
}
