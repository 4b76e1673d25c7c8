export interface MicroBatcherOptions<I, O> {
  /** Most items in one call of `run`. */
  maxBatch: number;
  /** Calls of `run` at once; items arriving meanwhile wait and go together in the next one. */
  maxInFlight: number;
  /** Handles a batch; answers one result per item, in order. */
  run(items: I[]): Promise<O[]>;
}

interface Pending<I, O> {
  item: I;
  resolve(result: O): void;
  reject(error: unknown): void;
}

/**
 * Natural batching: an item is sent at once when there is room, and items that arrive while
 * earlier batches are in flight are sent together as soon as one finishes. Under light load
 * nothing waits; under heavy load one round trip (and one commit) serves many callers. A batch
 * that fails is retried item by item, so one bad item only fails its own caller.
 */
export function createMicroBatcher<I, O>(options: MicroBatcherOptions<I, O>): (item: I) => Promise<O> {
  const queue: Pending<I, O>[] = [];
  let inFlight = 0;

  async function send(batch: Pending<I, O>[]): Promise<void> {
    try {
      const results = await options.run(batch.map((p) => p.item));
      batch.forEach((p, i) => p.resolve(results[i]!));
    } catch (error) {
      if (batch.length === 1) return batch[0]!.reject(error);
      await Promise.all(batch.map((p) => send([p])));
    }
  }

  function pump(): void {
    while (inFlight < options.maxInFlight && queue.length > 0) {
      inFlight++;
      void send(queue.splice(0, options.maxBatch)).finally(() => {
        inFlight--;
        pump();
      });
    }
  }

  return (item) =>
    new Promise<O>((resolve, reject) => {
      queue.push({ item, resolve, reject });
      pump();
    });
}
