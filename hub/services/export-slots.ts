import type { Sql } from '../../schema/db.js';
import { ApiError } from '../http/api-error.js';

/**
 * Bounds how many exports stream at once. Each holds a pooled connection for as long as its
 * client takes to read (and a dropped one until its current batch arrives), so without a
 * bound a few export clients could take the whole pool from the API and the dispatcher.
 * An export waits at most `waitMs` for a slot, then is refused with 503.
 */
export function createExportSlots(limit: number, waitMs = 10_000) {
  let used = 0;
  const waiting: (() => void)[] = [];

  function release(): void {
    const next = waiting.shift();
    if (next) next();
    else used--;
  }

  return {
    /** Resolves with the slot's release (call it exactly once, when the export's query is over). */
    acquire(): Promise<() => void> {
      let released = false;
      const once = () => {
        if (!released) {
          released = true;
          release();
        }
      };
      if (used < limit) {
        used++;
        return Promise.resolve(once);
      }
      return new Promise((resolve, reject) => {
        const granted = () => {
          clearTimeout(timer);
          resolve(once);
        };
        const timer = setTimeout(() => {
          waiting.splice(waiting.indexOf(granted), 1);
          reject(new ApiError('unavailable', `Too many exports are running; try again in a few seconds`));
        }, waitMs);
        waiting.push(granted);
      });
    },
  };
}

// One bound per database pool, shared by the API, the console and run downloads, so none takes the others' share.
const slotsByPool = new WeakMap<Sql, ReturnType<typeof createExportSlots>>();

/** The export slots of this pool: a quarter of it at most, so the API and the dispatcher always keep connections. */
export function exportSlotsFor(sql: Sql) {
  let slots = slotsByPool.get(sql);
  if (!slots) {
    slots = createExportSlots(Math.max(1, Math.floor(sql.options.max / 4)));
    slotsByPool.set(sql, slots);
  }
  return slots;
}
