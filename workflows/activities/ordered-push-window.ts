export interface OrderedPushWindowOptions<T, R> {
  /** Most items being pushed at once (the provider's connection allowance for one connector). */
  maxInFlight: number;
  /** Least time between two starts (the provider's per-second limit); 0 for none. */
  minGapMs: number;
  /** The provider call; it holds a slot. */
  push(item: T): Promise<R>;
  /** Our bookkeeping for a pushed item (the ledger); runs after its slot is freed for the next push. */
  after(item: T, result: R): Promise<void>;
}

export interface OrderedPushWindow<T> {
  /**
   * Waits for room, then starts `item`. An item never runs beside another that shares one of its
   * `keys`, so a later change to a record cannot overtake an earlier one. Resolves false, and
   * starts nothing, once an earlier item has failed.
   */
  submit(item: T, keys: readonly string[]): Promise<boolean>;
  /** Waits for every item in flight; gives the first failure, if any. */
  settle(): Promise<{ failure?: unknown }>;
  /** The latest item that, together with every item submitted before it, has succeeded. */
  readonly committed: T | undefined;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * Keeps up to `maxInFlight` pushes going so the provider is never idle while we read the log or
 * write the ledger, yet reports progress in log order: the cursor may only move past a batch once
 * every batch before it has been delivered too.
 */
export function createOrderedPushWindow<T, R>(options: OrderedPushWindowOptions<T, R>): OrderedPushWindow<T> {
  const inFlight = new Set<Promise<void>>();
  // Bookkeeping still running: an item is committed only once its `after` is done.
  const finishing = new Set<Promise<void>>();
  const busyKeys = new Map<string, number>();
  const finished = new Map<number, T>();
  let submitted = 0;
  let nextToCommit = 0;
  let committed: T | undefined;
  let failure: { error: unknown } | undefined;
  let lastStart = Number.NEGATIVE_INFINITY;

  const blocked = (keys: readonly string[]) => inFlight.size >= options.maxInFlight || keys.some((k) => busyKeys.has(k));

  return {
    async submit(item, keys) {
      // Every in-flight promise settles without throwing, so racing them only waits for room.
      while (!failure && blocked(keys)) await Promise.race(inFlight);
      const wait = lastStart + options.minGapMs - Date.now();
      if (!failure && wait > 0) await sleep(wait);
      if (failure) return false;
      lastStart = Date.now();
      const index = submitted++;
      for (const k of keys) busyKeys.set(k, (busyKeys.get(k) ?? 0) + 1);
      const pushed = options.push(item);
      const running: Promise<void> = pushed
        .then(
          () => undefined,
          (error: unknown) => {
            failure ??= { error };
          },
        )
        .finally(() => {
          inFlight.delete(running);
          for (const k of keys) {
            const n = busyKeys.get(k)! - 1;
            if (n === 0) busyKeys.delete(k);
            else busyKeys.set(k, n);
          }
        });
      inFlight.add(running);
      const done: Promise<void> = pushed
        .then((result) => options.after(item, result))
        .then(
          () => {
            finished.set(index, item);
            while (finished.has(nextToCommit)) {
              committed = finished.get(nextToCommit);
              finished.delete(nextToCommit++);
            }
          },
          (error: unknown) => {
            failure ??= { error };
          },
        )
        .finally(() => finishing.delete(done));
      finishing.add(done);
      return true;
    },
    async settle() {
      while (inFlight.size > 0 || finishing.size > 0) await Promise.race([...inFlight, ...finishing]);
      return failure ? { failure: failure.error } : {};
    },
    get committed() {
      return committed;
    },
  };
}
