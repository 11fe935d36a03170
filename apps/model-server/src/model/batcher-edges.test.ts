/**
 * The batcher's edges beside batcher.test.ts: option checks, error messages, what the observer
 * is told about failed batches and padded cells, drain/close on an idle or busy batcher, the
 * cells `admit` is asked about, and that no delay timer outlives the queue (fake clock).
 */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createBatcher, type BatchDispatch } from './batcher.js';
import { harness } from '../../test/batcher-harness.js';

describe('batcher edges', () => {
  beforeEach(() => {
    vi.useFakeTimers();
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('refuses every option out of range, naming them all', () => {
    const base = { maxBatchSize: 1, maxQueueDelayMs: 0, maxQueueSize: 1, concurrency: 1, run: async () => [] };
    expect(() => createBatcher(base)).not.toThrow();
    expect(() => createBatcher({ ...base, maxBatchCells: 1 })).not.toThrow();
    for (const bad of [{ maxQueueSize: 0 }, { maxQueueDelayMs: -1 }, { maxBatchSize: Number.NaN }, { concurrency: 0.5 }, { maxBatchCells: 0.5 }]) {
      expect(() => createBatcher({ ...base, ...bad })).toThrow(RangeError);
    }
    expect(() => createBatcher({ ...base, maxQueueSize: 0 })).toThrow(
      'invalid batcher options: maxBatchSize=1 maxQueueSize=0 concurrency=1 maxQueueDelayMs=0 maxBatchCells=1',
    );
  });

  it('says why it refuses: queue full with its size, shutting down', async () => {
    const { batcher } = harness({ maxQueueSize: 1, concurrency: 1 });
    void batcher.submit(1, { key: 'k', rows: 1 });
    void batcher.submit(2, { key: 'k', rows: 1 });
    await expect(batcher.submit(3, { key: 'k', rows: 1 })).rejects.toMatchObject({
      code: 'QUEUE_FULL',
      message: 'inference queue is full (1 requests)',
    });
    batcher.close();
    await expect(batcher.submit(4, { key: 'k', rows: 1 })).rejects.toMatchObject({ code: 'SHUTTING_DOWN', message: 'server is shutting down' });
  });

  it('tells the observer the key, padded cells, requests and whether each batch succeeded', async () => {
    const dispatched: BatchDispatch[] = [];
    const completed: { ok: boolean; durationMs: number; cells: number }[] = [];
    const { batcher, calls } = harness({
      maxBatchCells: 1000,
      observer: { onDispatch: (b) => dispatched.push(b), onComplete: (b) => completed.push({ ok: b.ok, durationMs: b.durationMs, cells: b.cells }) },
    });
    const first = batcher.submit(1, { key: 'a', rows: 2, width: 3 });
    const second = batcher.submit(2, { key: 'a', rows: 1, width: 7 });
    const third = batcher.submit(3, { key: 'a', rows: 3 });
    await vi.advanceTimersByTimeAsync(4);
    calls[0]?.fail(new Error('boom'));
    await expect(first).rejects.toThrow('boom');
    await vi.advanceTimersByTimeAsync(0);
    expect(calls[1]?.inputs).toEqual([2, 3]);
    expect(calls[1]?.cells).toBe(4 * 7);
    calls[1]?.finish();
    await expect(Promise.all([second, third])).resolves.toEqual([20, 30]);
    expect(dispatched.map(({ key, rows, cells, requests }) => ({ key, rows, cells, requests }))).toEqual([
      { key: 'a', rows: 2, cells: 6, requests: 1 },
      { key: 'a', rows: 4, cells: 28, requests: 2 },
    ]);
    expect(completed).toEqual([
      { ok: false, durationMs: 4, cells: 6 },
      { ok: true, durationMs: 0, cells: 28 },
    ]);
  });

  it('reports a batch with the wrong number of outputs as failed, naming the counts', async () => {
    const completed: boolean[] = [];
    const batcher = createBatcher<number, number>({
      maxBatchSize: 4,
      maxQueueDelayMs: 0,
      maxQueueSize: 4,
      concurrency: 1,
      run: async (_key, inputs) => inputs.slice(1),
      observer: { onComplete: (b) => completed.push(b.ok) },
    });
    await expect(batcher.submitUnits([1, 2].map((input) => ({ input, key: 'k', rows: 1 })))).rejects.toMatchObject({
      code: 'INTERNAL',
      message: 'batch produced 1 outputs for 2 requests',
    });
    // settle rejected the requests, but the batch itself ran: the runner resolved
    expect(completed).toEqual([true]);
  });

  it('drain() resolves at once when idle, and every waiter once the last batch completes', async () => {
    const { batcher, calls } = harness();
    await expect(batcher.drain()).resolves.toBeUndefined();
    void batcher.submit(1, { key: 'k', rows: 1 });
    const done: number[] = [];
    void batcher.drain().then(() => done.push(1));
    void batcher.drain().then(() => done.push(2));
    await vi.advanceTimersByTimeAsync(0);
    expect(done).toEqual([]);
    calls[0]?.finish();
    await vi.advanceTimersByTimeAsync(0);
    expect(done).toEqual([1, 2]);
  });

  it('close() sends what is queued without waiting for the delay, and leaves no timer behind', async () => {
    const { batcher, calls } = harness({ maxQueueDelayMs: 10_000, concurrency: 2 });
    void batcher.submit(1, { key: 'k', rows: 1 });
    const queued = batcher.submit(2, { key: 'k', rows: 1 });
    expect(calls).toHaveLength(1);
    expect(vi.getTimerCount()).toBe(1);
    batcher.close();
    expect(calls.map((c) => c.inputs)).toEqual([[1], [2]]);
    expect(vi.getTimerCount()).toBe(0);
    calls[1]?.finish();
    await expect(queued).resolves.toBe(20);
  });

  it('arms one delay timer at a time, for what is left of the oldest wait, and clears it once the queue is empty', async () => {
    const { batcher, calls } = harness({ maxQueueDelayMs: 10, concurrency: 2 });
    void batcher.submit(1, { key: 'k', rows: 1 });
    void batcher.submit(2, { key: 'k', rows: 1 });
    await vi.advanceTimersByTimeAsync(4);
    void batcher.submit(3, { key: 'k', rows: 1 });
    expect(vi.getTimerCount()).toBe(1);
    await vi.advanceTimersByTimeAsync(5);
    expect(calls).toHaveLength(1);
    await vi.advanceTimersByTimeAsync(1);
    expect(calls.map((c) => c.inputs)).toEqual([[1], [2, 3]]);
    expect(vi.getTimerCount()).toBe(0);
    // the size trigger empties the queue before the delay: its timer goes too
    calls[1]?.finish();
    await vi.advanceTimersByTimeAsync(0);
    void batcher.submit(4, { key: 'k', rows: 1 });
    expect(vi.getTimerCount()).toBe(1);
    for (const value of [5, 6, 7]) void batcher.submit(value, { key: 'k', rows: 1 });
    expect(calls.map((c) => c.inputs)[2]).toEqual([4, 5, 6, 7]);
    expect(vi.getTimerCount()).toBe(0);
  });

  it('asks admit about the waiting cells of the head key, capped at maxBatchCells', () => {
    const asked: number[] = [];
    const { batcher } = harness({
      maxBatchSize: 100,
      maxBatchCells: 50,
      admit: (cells) => {
        asked.push(cells);
        return false;
      },
    });
    void batcher.submit(1, { key: 'k', rows: 2, width: 10 });
    void batcher.submit(2, { key: 'other', rows: 1, width: 99 });
    void batcher.submit(3, { key: 'k', rows: 4, width: 10 });
    expect(asked).toEqual([20, 20, 50]);
  });

  it('keeps counting the rows and cells a batch left behind: the leftover triggers by size later', async () => {
    const { batcher, calls } = harness({ maxBatchSize: 3, maxQueueDelayMs: 1000, concurrency: 2 });
    void batcher.submit(0, { key: 'k', rows: 1 });
    // 2 + 2 rows waiting ≥ 3: a batch of [1] leaves (2 + 2 > 3), [2] is left with 2 rows waiting
    void batcher.submit(1, { key: 'k', rows: 2 });
    void batcher.submit(2, { key: 'k', rows: 2 });
    expect(calls.map((c) => c.inputs)).toEqual([[0], [1]]);
    // 2 rows left waiting < 3: they wait for the delay while [0] runs
    calls[1]?.finish();
    await vi.advanceTimersByTimeAsync(0);
    expect(calls).toHaveLength(2);
    // 2 + 1 = 3 rows: full, they leave at once
    void batcher.submit(3, { key: 'k', rows: 1 });
    expect(calls.map((c) => c.inputs)[2]).toEqual([2, 3]);
    expect(batcher.depth).toBe(0);
  });

  it('keeps counting the cells a batch left behind: the leftover waits below maxBatchCells, then triggers by cells', async () => {
    const { batcher, calls } = harness({ maxBatchSize: 100, maxBatchCells: 6, maxQueueDelayMs: 1000, concurrency: 2 });
    void batcher.submit(0, { key: 'k', rows: 1 });
    void batcher.submit(1, { key: 'k', rows: 1, width: 4 });
    expect(calls).toHaveLength(1); // 4 cells < 6: gathering
    // 8 cells waiting ≥ 6: [1] leaves alone (2 rows × 4 = 8 padded cells > 6), [2] is left with 4 cells
    void batcher.submit(2, { key: 'k', rows: 1, width: 4 });
    expect(calls.map((c) => c.inputs)).toEqual([[0], [1]]);
    calls[1]?.finish();
    await vi.advanceTimersByTimeAsync(0);
    expect(calls).toHaveLength(2); // 4 cells < 6 while [0] runs: still gathering
    void batcher.submit(3, { key: 'k', rows: 1, width: 2 });
    expect(calls.map((c) => c.inputs)[2]).toEqual([2]); // 4 + 2 = 6 cells: full
  });

  it('while a batch runs, dispatches at once when the waiting cells reach maxBatchCells exactly (cell trigger)', () => {
    const { batcher, calls } = harness({ maxBatchSize: 100, maxBatchCells: 10, maxQueueDelayMs: 1000, concurrency: 2 });
    void batcher.submit(0, { key: 'k', rows: 1 });
    void batcher.submit(1, { key: 'k', rows: 1, width: 5 });
    expect(calls).toHaveLength(1); // 5 cells < 10: gathering
    void batcher.submit(2, { key: 'k', rows: 1, width: 5 });
    expect(calls.map((c) => c.inputs)).toEqual([[0], [1, 2]]);
  });

  it('drain() waits for work admit keeps queued while nothing runs', async () => {
    let allow = false;
    const { batcher, calls } = harness({ admit: () => allow });
    const result = batcher.submit(1, { key: 'k', rows: 1 });
    let drained = false;
    void batcher.drain().then(() => (drained = true));
    await vi.advanceTimersByTimeAsync(0);
    expect([calls.length, drained]).toEqual([0, false]);
    // a wake that admit still refuses leaves the work queued, and drain() waiting
    batcher.wake();
    await vi.advanceTimersByTimeAsync(0);
    expect([calls.length, drained]).toEqual([0, false]);
    allow = true;
    batcher.wake();
    calls[0]?.finish();
    await expect(result).resolves.toBe(10);
    await vi.advanceTimersByTimeAsync(0);
    expect(drained).toBe(true);
  });

  it('sleeps until the oldest request is due in one timer instead of polling for it', async () => {
    const { batcher, calls } = harness({ maxQueueDelayMs: 10, concurrency: 2 });
    const armed = vi.spyOn(globalThis, 'setTimeout');
    void batcher.submit(1, { key: 'k', rows: 1 });
    await vi.advanceTimersByTimeAsync(3);
    void batcher.submit(2, { key: 'k', rows: 1 });
    await vi.advanceTimersByTimeAsync(9);
    expect(calls).toHaveLength(1);
    await vi.advanceTimersByTimeAsync(1);
    expect(calls.map((c) => c.inputs)).toEqual([[1], [2]]);
    expect(armed.mock.calls.map(([, delay]) => delay)).toEqual([10]);
    armed.mockRestore();
  });
});
