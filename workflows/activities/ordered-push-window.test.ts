import { describe, expect, it } from 'vitest';
import { createOrderedPushWindow } from './ordered-push-window.js';

/** A push whose completion the test controls. */
function gate() {
  let open!: () => void;
  let fail!: (e: Error) => void;
  const done = new Promise<void>((resolve, reject) => {
    open = resolve;
    fail = reject;
  });
  return { done, open, fail };
}
const tick = () => new Promise((r) => setTimeout(r, 0));

describe('ordered push window', () => {
  it('keeps at most maxInFlight running and commits only the finished prefix', async () => {
    const gates = [gate(), gate(), gate()];
    let running = 0;
    let most = 0;
    const w = createOrderedPushWindow<number, void>({
      maxInFlight: 2,
      minGapMs: 0,
      push: async (i) => {
        running++;
        most = Math.max(most, running);
        await gates[i]!.done;
        running--;
      },
      after: async () => {},
    });
    expect(await w.submit(0, ['a'])).toBe(true);
    expect(await w.submit(1, ['b'])).toBe(true);
    let third = false;
    const submitting = w.submit(2, ['c']).then((ok) => {
      third = ok;
    });
    await tick();
    expect(third).toBe(false); // no room until one finishes

    gates[1]!.open(); // the second finishes first: nothing is committed past the unfinished first
    await submitting;
    expect(third).toBe(true);
    expect(w.committed).toBeUndefined();
    gates[0]!.open();
    await tick();
    expect(w.committed).toBe(1);
    gates[2]!.open();
    expect(await w.settle()).toEqual({});
    expect(w.committed).toBe(2);
    expect(most).toBe(2);
  });

  it('never runs two items that share a key side by side', async () => {
    const gates = [gate(), gate()];
    const started: number[] = [];
    const w = createOrderedPushWindow<number, void>({
      maxInFlight: 4,
      minGapMs: 0,
      push: async (i) => {
        started.push(i);
        await gates[i]!.done;
      },
      after: async () => {},
    });
    await w.submit(0, ['member-1', 'member-2']);
    const second = w.submit(1, ['member-3', 'member-2']);
    await tick();
    expect(started).toEqual([0]);
    gates[0]!.open();
    await second;
    expect(started).toEqual([0, 1]);
    gates[1]!.open();
    await w.settle();
    expect(w.committed).toBe(1);
  });

  it('stops starting work after a failure and reports it; the committed prefix stays put', async () => {
    const gates = [gate(), gate()];
    const w = createOrderedPushWindow<number, void>({ maxInFlight: 2, minGapMs: 0, push: (i) => gates[i]!.done, after: async () => {} });
    await w.submit(0, []);
    await w.submit(1, []);
    const boom = new Error('429');
    gates[0]!.fail(boom);
    gates[1]!.open();
    expect(await w.submit(2, [])).toBe(false);
    expect(await w.settle()).toEqual({ failure: boom });
    expect(w.committed).toBeUndefined();
  });

  it('frees the slot when the push is done, but commits only after the bookkeeping', async () => {
    const ledger = gate();
    let pushes = 0;
    const w = createOrderedPushWindow<number, string>({
      maxInFlight: 1,
      minGapMs: 0,
      push: async (i) => {
        pushes++;
        return `ok ${i}`;
      },
      after: async (i, result) => {
        expect(result).toBe(`ok ${i}`);
        if (i === 0) await ledger.done;
      },
    });
    await w.submit(0, ['a']);
    await w.submit(1, ['a']); // starts while item 0's ledger write is still pending
    await tick();
    expect(pushes).toBe(2);
    expect(w.committed).toBeUndefined();
    ledger.open();
    await w.settle();
    expect(w.committed).toBe(1);
  });

  it('spaces starts by minGapMs', async () => {
    const starts: number[] = [];
    const w = createOrderedPushWindow<number, void>({
      maxInFlight: 3,
      minGapMs: 40,
      push: async () => {
        starts.push(Date.now());
      },
      after: async () => {},
    });
    for (let i = 0; i < 3; i++) await w.submit(i, []);
    await w.settle();
    expect(starts[1]! - starts[0]!).toBeGreaterThanOrEqual(39);
    expect(starts[2]! - starts[1]!).toBeGreaterThanOrEqual(39);
    expect(w.committed).toBe(2);
  });
});
