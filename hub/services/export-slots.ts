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
