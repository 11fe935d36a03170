import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { harness } from '../../test/batcher-harness.js';

/**
 * A batch completing in front of a short queue: the queue leaves on the event loop's next turn
 * (the injected `defer`, run here when the test says), with what that turn read; a long queue,
 * an idle batcher, drain and close dispatch at once.
 */
function gatherHarness(options: Parameters<typeof harness>[0] = {}) {
  const turns: (() => void)[] = [];
  const h = harness({ maxBatchSize: 8, maxQueueDelayMs: 1000, defer: (callback) => turns.push(callback), ...options });
  const nextTurn = (): void => {
    for (const callback of turns.splice(0)) callback();
  };
  const inputs = () => h.calls.map((c) => c.inputs);
  return { ...h, turns, nextTurn, inputs };
}

const one = { key: 'k', rows: 1 };

describe('dynamic batcher: gathering behind a short queue', () => {
  beforeEach(() => {
    vi.useFakeTimers();
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('an idle batcher dispatches at once (t = 0), without waiting for a turn', () => {
    const { batcher, inputs, turns } = gatherHarness({ gatherBelowRows: 4 });
    void batcher.submit(1, one);
    expect(inputs()).toEqual([[1]]);
    expect(turns).toHaveLength(0);
  });

  it('a completing batch leaves a short queue for one turn: a request arriving in that turn joins it', async () => {
    const { batcher, calls, inputs, turns, nextTurn } = gatherHarness({ gatherBelowRows: 4 });
    const first = batcher.submit(1, one);
    const queued = batcher.submit(2, one);
    calls[0]?.finish();
    await first;
    await vi.advanceTimersByTimeAsync(0);
    // dispatched at once on completion, 2 would leave alone and 3 wait a whole batch for it
    expect(inputs()).toEqual([[1]]);
    expect(turns).toHaveLength(1);
    const late = batcher.submit(3, one);
    expect(inputs()).toEqual([[1], [2, 3]]);
    nextTurn(); // finds a batch running: gathers as before, dispatches nothing
    expect(inputs()).toEqual([[1], [2, 3]]);
    calls[1]?.finish();
    await expect(Promise.all([queued, late])).resolves.toEqual([20, 30]);
  });

  it('with nothing arriving, the short queue leaves on the next turn', async () => {
    const { batcher, calls, inputs, nextTurn } = gatherHarness({ gatherBelowRows: 4 });
    void batcher.submit(1, one);
    const queued = [2, 3, 4].map((value) => batcher.submit(value, one));
    calls[0]?.finish();
    await vi.advanceTimersByTimeAsync(0);
    expect(inputs()).toEqual([[1]]);
    nextTurn();
    expect(inputs()).toEqual([[1], [2, 3, 4]]);
    calls[1]?.finish();
    await expect(Promise.all(queued)).resolves.toEqual([20, 30, 40]);
  });

  it('a long queue (gatherBelowRows rows or more of the head key) leaves at once, as before', async () => {
    const { batcher, calls, inputs, turns } = gatherHarness({ gatherBelowRows: 4 });
    void batcher.submit(1, one);
    void batcher.submit(2, { key: 'other', rows: 3 });
    void batcher.submit(3, { key: 'k', rows: 3 });
    calls[0]?.finish();
    await vi.advanceTimersByTimeAsync(0);
    // 6 rows wait, but the head (2) has 3 of its key: short, deferred
    expect(turns).toHaveLength(1);
    void batcher.submit(4, { key: 'other', rows: 1 });
    expect(inputs()).toEqual([[1], [2, 4]]);
    void batcher.submit(5, one);
    calls[1]?.finish();
    await vi.advanceTimersByTimeAsync(0);
    // now 3 heads the queue with 3 + 1 = 4 rows of 'k': long, at once
    expect(inputs()).toEqual([[1], [2, 4], [3, 5]]);
    expect(turns).toHaveLength(1);
  });

  it('from gatherBelowRows rows on, the completion dispatches in the same turn', async () => {
    const { batcher, calls, inputs, turns } = gatherHarness({ gatherBelowRows: 4 });
    void batcher.submit(1, one);
    for (const value of [2, 3, 4, 5]) void batcher.submit(value, one);
    calls[0]?.finish();
    await vi.advanceTimersByTimeAsync(0);
    expect(inputs()).toEqual([[1], [2, 3, 4, 5]]);
    expect(turns).toHaveLength(0);
  });

  it('defaults gatherBelowRows to a quarter of maxBatchSize', async () => {
    const { batcher, calls, inputs, turns } = gatherHarness();
    void batcher.submit(1, one);
    void batcher.submit(2, one);
    calls[0]?.finish();
    await vi.advanceTimersByTimeAsync(0);
    expect(inputs()).toEqual([[1]]); // 1 row < 8 / 4
    expect(turns).toHaveLength(1);
    void batcher.submit(3, one);
    void batcher.submit(4, one);
    void batcher.submit(5, one);
    calls[1]?.finish();
    await vi.advanceTimersByTimeAsync(0);
    expect(inputs()).toEqual([[1], [2, 3], [4, 5]]); // 2 rows = 8 / 4: at once
    expect(turns).toHaveLength(1);
  });

  it('while another batch still runs, a completion gathers by the delay as before (no extra turn)', async () => {
    const { batcher, calls, inputs, turns } = gatherHarness({ gatherBelowRows: 4, concurrency: 2 });
    void batcher.submit(1, one);
    void batcher.submit(2, { key: 'other', rows: 1 });
    void batcher.submit(3, one);
    expect(inputs()).toEqual([[1]]);
    await vi.advanceTimersByTimeAsync(1000);
    expect(inputs()).toEqual([[1], [2]]);
    calls[0]?.finish();
    await vi.advanceTimersByTimeAsync(0);
    expect(turns).toHaveLength(0);
    expect(inputs()).toEqual([[1], [2], [3]]); // 3 waited its delay already
  });

  it('drain() and close() send a short queue at once on completion, without the extra turn', async () => {
    const { batcher, calls, inputs, turns } = gatherHarness({ gatherBelowRows: 4 });
    void batcher.submit(1, one);
    void batcher.submit(2, one);
    const drained = batcher.drain();
    calls[0]?.finish();
    await vi.advanceTimersByTimeAsync(0);
    expect(inputs()).toEqual([[1], [2]]);
    calls[1]?.finish();
    await drained;
    expect(turns).toHaveLength(0);

    const closing = gatherHarness({ gatherBelowRows: 4 });
    void closing.batcher.submit(1, one);
    void closing.batcher.submit(2, one);
    closing.batcher.close();
    closing.calls[0]?.finish();
    await vi.advanceTimersByTimeAsync(0);
    expect(closing.inputs()).toEqual([[1], [2]]);
    expect(closing.turns).toHaveLength(0);
  });

  it('takes the extra turn with setImmediate by default', async () => {
    const { batcher, calls } = harness({ maxBatchSize: 8, maxQueueDelayMs: 1000, gatherBelowRows: 4 });
    const first = batcher.submit(1, one);
    const second = batcher.submit(2, one);
    calls[0]?.finish();
    await first;
    await Promise.resolve();
    expect(calls.map((c) => c.inputs)).toEqual([[1]]);
    vi.runAllTicks();
    await vi.advanceTimersToNextTimerAsync(); // the (fake) immediate
    expect(calls.map((c) => c.inputs)).toEqual([[1], [2]]);
    calls[1]?.finish();
    await expect(second).resolves.toBe(20);
  });

  it('drain() called while the extra turn is pending dispatches at once', async () => {
    const { batcher, calls, inputs, turns } = gatherHarness({ gatherBelowRows: 4 });
    void batcher.submit(1, one);
    void batcher.submit(2, one);
    calls[0]?.finish();
    await vi.advanceTimersByTimeAsync(0);
    expect(turns).toHaveLength(1);
    const drained = batcher.drain();
    expect(inputs()).toEqual([[1], [2]]);
    calls[1]?.finish();
    await drained;
  });
});
