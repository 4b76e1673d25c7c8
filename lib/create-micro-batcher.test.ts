import { describe, expect, it } from 'vitest';
import { createMicroBatcher } from './create-micro-batcher.js';

describe('micro batcher', () => {
  it('sends at once when idle and groups what arrives while a batch is in flight', async () => {
    const batches: number[][] = [];
    let release!: () => void;
    const first = new Promise<void>((r) => {
      release = r;
    });
    const run = createMicroBatcher<number, number>({
      maxBatch: 3,
      maxInFlight: 1,
      run: async (items) => {
        batches.push(items);
        if (batches.length === 1) await first;
        return items.map((i) => i * 10);
      },
    });
    const answers = [run(1), run(2), run(3), run(4), run(5), run(6)];
    await new Promise((r) => setTimeout(r, 5));
    expect(batches).toEqual([[1]]); // the first went alone; the rest wait for room
    release();
    expect(await Promise.all(answers)).toEqual([10, 20, 30, 40, 50, 60]);
    expect(batches).toEqual([[1], [2, 3, 4], [5, 6]]);
  });

  it('retries a failed batch item by item, so only the bad item fails', async () => {
    const run = createMicroBatcher<number, number>({
      maxBatch: 10,
      maxInFlight: 1,
      run: async (items) => {
        if (items.includes(13)) throw new Error(`refused ${items.join(',')}`);
        return items;
      },
    });
    const block = run(0); // occupies the only slot so the next three form one batch
    const results = await Promise.allSettled([run(12), run(13), run(14)]);
    await block;
    expect(results.map((r) => r.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
    expect((results[1] as PromiseRejectedResult).reason.message).toBe('refused 13');
  });
});
