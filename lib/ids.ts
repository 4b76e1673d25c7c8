import { randomFillSync } from 'node:crypto';

// Crockford base32: sortable as plain strings, no ambiguous letters.
const ALPHABET = '0123456789abcdefghjkmnpqrstvwxyz';

export type IdPrefix =
  | 'prg'
  | 'rul'
  | 'mem'
  | 'clk'
  | 'ref'
  | 'bev'
  | 'rwd'
  | 'evt'
  | 'key'
  | 'con'
  | 'dlv'
  | 'sch'
  | 'run'
  | 'hook'
  | 'ibx'
  | 'att'
  | 'rcv'
  | 'pay'
  | 'eml'
  | 'ptk'
  | 'sem'
  | 'usr';

// Random bytes are drawn from the OS in blocks: one call per id costs more than the id itself
// on hot paths (a ledger row per delivered record, a referral and an event per conversion).
const POOL = Buffer.alloc(16 * 512);
let poolAt = POOL.length;

/**
 * Prefixed, time-sortable id (`ref_01j…`): 48-bit millisecond time then 80 random bits,
 * like a ULID, so ids sort by creation time and cursor pagination can use them directly.
 */
export function newId(prefix: IdPrefix, now: number = Date.now()): string {
  let time = '';
  let t = now;
  for (let i = 0; i < 10; i++) {
    time = ALPHABET[t % 32] + time;
    t = Math.floor(t / 32);
  }
  if (poolAt === POOL.length) {
    randomFillSync(POOL);
    poolAt = 0;
  }
  let rand = '';
  for (let i = 0; i < 16; i++) rand += ALPHABET[POOL[poolAt + i]! % 32];
  poolAt += 16;
  return `${prefix}_${time}${rand}`;
}

/**
 * The smallest id of this prefix created at `at`: ids made before it sort below, ids made at or
 * after it sort at or above, so a time range becomes a range on the primary key.
 */
export function idFloorAt(prefix: IdPrefix, at: Date): string {
  return newId(prefix, Math.max(0, at.getTime())).slice(0, prefix.length + 11);
}

const ID_PATTERN = /^[a-z]{3,4}_[0-9a-z]{26}$/;

export function looksLikeId(value: string, prefix: IdPrefix): boolean {
  return value.startsWith(`${prefix}_`) && ID_PATTERN.test(value);
}
