import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createBatcher } from './batcher.js';
import { harness } from '../../test/batcher-harness.js';

function submitAll(batcher: ReturnType<typeof harness>['batcher'], values: number[], key = 'k') {
  return values.map((value) => batcher.submit(value, { key, rows: 1 }));
}

describe('dynamic batcher', () => {
  beforeEach(() => {
    vi.useFakeTimers();
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('dispatches a request at once when nothing runs (no idle delay, t = 0)', async () => {
    const { batcher, calls } = harness({ maxQueueDelayMs: 1000, concurrency: 2 });
    const result = batcher.submit(1, { key: 'k', rows: 1 });
    expect(calls.map((c) => c.inputs)).toEqual([[1]]);
    calls[0]?.finish();
    await expect(result).resolves.toBe(10);
    // idle again: the next one leaves at once as well
    void batcher.submit(2, { key: 'k', rows: 1 });
    expect(calls.map((c) => c.inputs)).toEqual([[1], [2]]);
  });

  it('while a batch runs, a free executor gathers a batch until the oldest request waited maxQueueDelayMs (delay trigger)', async () => {
    const { batcher, calls } = harness({ concurrency: 2 });
    submitAll(batcher, [1]);
    const results = submitAll(batcher, [2, 3]);
    await vi.advanceTimersByTimeAsync(1);
    submitAll(batcher, [4]);
    expect(calls.map((c) => c.inputs)).toEqual([[1]]);
    await vi.advanceTimersByTimeAsync(1);
    expect(calls.map((c) => c.inputs)).toEqual([[1], [2, 3, 4]]);
    calls[1]?.finish();
    await expect(Promise.all(results)).resolves.toEqual([20, 30]);
  });

  it('while a batch runs, dispatches at once when maxBatchSize rows are waiting (size trigger)', async () => {
    const { batcher, calls } = harness({ concurrency: 2 });
    submitAll(batcher, [0]);
    const results = submitAll(batcher, [1, 2, 3, 4, 5]);
    expect(calls.map((c) => c.inputs)).toEqual([[0], [1, 2, 3, 4]]);
    expect(batcher.depth).toBe(1);
    calls[1]?.finish();
    await expect(Promise.all(results.slice(0, 4))).resolves.toEqual([10, 20, 30, 40]);
    // batch [0] still runs and the leftover has not waited its delay yet
    expect(calls).toHaveLength(2);
    await vi.advanceTimersByTimeAsync(2);
    expect(calls.map((c) => c.inputs)[2]).toEqual([5]);
    calls[2]?.finish();
    await expect(results[4]).resolves.toBe(50);
  });

  it('when the running batch completes, takes what piled up at once (no delay left to wait)', async () => {
    const { batcher, calls } = harness({ maxQueueDelayMs: 1000 });
    submitAll(batcher, [1, 2, 3]);
    expect(calls.map((c) => c.inputs)).toEqual([[1]]);
    calls[0]?.finish();
    await vi.advanceTimersByTimeAsync(0);
    expect(calls.map((c) => c.inputs)).toEqual([[1], [2, 3]]);
  });

  it('grows batches while every executor is busy, up to maxBatchSize', async () => {
    const { batcher, calls } = harness({ maxBatchSize: 3, concurrency: 2 });
    submitAll(batcher, [1, 2, 3, 4, 5, 6, 7, 8]);
    expect(calls.map((c) => c.inputs)).toEqual([[1], [2, 3, 4]]);
    calls[0]?.finish();
    await vi.advanceTimersByTimeAsync(0);
    expect(calls.map((c) => c.inputs)[2]).toEqual([5, 6, 7]);
    await vi.advanceTimersByTimeAsync(1);
    expect(calls).toHaveLength(3);
    calls[1]?.finish();
    await vi.advanceTimersByTimeAsync(1);
    expect(calls.map((c) => c.inputs)[3]).toEqual([8]);
  });

  it('merges only requests with the same key and counts rows, never splitting a request', async () => {
    const { batcher, calls } = harness();
    void batcher.submit(1, { key: 'a', rows: 1 });
    void batcher.submit(2, { key: 'a', rows: 1 });
    void batcher.submit(3, { key: 'b', rows: 1 });
    void batcher.submit(4, { key: 'a', rows: 1 });
    void batcher.submit(5, { key: 'a', rows: 3 });
    expect(calls.map((c) => [c.key, c.inputs])).toEqual([['a', [1]]]);
    calls[0]?.finish();
    await vi.advanceTimersByTimeAsync(0);
    // the oldest waiting request leads ('a'); 'b' is skipped; 2 + 4 + 5 = 5 rows > 4: 5 waits
    expect(calls.map((c) => [c.key, c.inputs])[1]).toEqual(['a', [2, 4]]);
    calls[1]?.finish();
    await vi.advanceTimersByTimeAsync(0);
    expect(calls.map((c) => [c.key, c.inputs])[2]).toEqual(['b', [3]]);
    calls[2]?.finish();
    await vi.advanceTimersByTimeAsync(0);
    expect(calls.map((c) => [c.key, c.inputs])[3]).toEqual(['a', [5]]);
  });

  it('rejects with QUEUE_FULL once maxQueueSize requests are waiting', async () => {
    const { batcher, calls } = harness({ maxBatchSize: 1, maxQueueSize: 2 });
    submitAll(batcher, [1, 2, 3]);
    expect(calls).toHaveLength(1);
    expect(batcher.depth).toBe(2);
    await expect(batcher.submit(4, { key: 'k', rows: 1 })).rejects.toMatchObject({
      code: 'QUEUE_FULL',
      statusCode: 503,
    });
    calls[0]?.finish();
    await vi.advanceTimersByTimeAsync(0);
    expect(batcher.depth).toBe(1);
    await expect(Promise.race([batcher.submit(5, { key: 'k', rows: 1 }), 'queued'])).resolves.toBe('queued');
  });

  it('passes a failed batch error to every request of the batch and keeps serving', async () => {
    const { batcher, calls } = harness({ maxBatchSize: 2 });
    submitAll(batcher, [0]);
    const [a, b] = submitAll(batcher, [1, 2]);
    calls[0]?.finish();
    await vi.advanceTimersByTimeAsync(0);
    expect(calls.map((c) => c.inputs)[1]).toEqual([1, 2]);
    calls[1]?.fail(new Error('boom'));
    await expect(a).rejects.toThrow('boom');
    await expect(b).rejects.toThrow('boom');
    const c = batcher.submit(3, { key: 'k', rows: 1 });
    calls[2]?.finish();
    await expect(c).resolves.toBe(30);
  });

  it('rejects every request when the runner returns the wrong number of outputs', async () => {
    const batcher = createBatcher<number, number>({
      maxBatchSize: 2,
      maxQueueDelayMs: 5,
      maxQueueSize: 4,
      concurrency: 1,
      run: async () => [],
    });
    const results = submitAll(batcher as never, [1, 2]);
    await expect(results[0]).rejects.toMatchObject({ code: 'INTERNAL' });
    await expect(results[1]).rejects.toMatchObject({ code: 'INTERNAL' });
  });

  it('drain() flushes without waiting for the delay; close() refuses new work', async () => {
    const { batcher, calls } = harness({ maxQueueDelayMs: 1000, concurrency: 2 });
    submitAll(batcher, [0]);
    const results = submitAll(batcher, [1, 2]);
    expect(calls).toHaveLength(1);
    const drained = batcher.drain();
    expect(calls.map((c) => c.inputs)).toEqual([[0], [1, 2]]);
    let done = false;
    void drained.then(() => (done = true));
    calls[0]?.finish();
    await vi.advanceTimersByTimeAsync(0);
    expect(done).toBe(false);
    calls[1]?.finish();
    await drained;
    await expect(Promise.all(results)).resolves.toEqual([10, 20]);
    batcher.close();
    await expect(batcher.submit(9, { key: 'k', rows: 1 })).rejects.toMatchObject({ code: 'SHUTTING_DOWN' });
  });

  it('reports dispatches, queue waits and depth to the observer', async () => {
    const events: string[] = [];
    const { batcher, calls } = harness({
      observer: {
        onDepth: (depth) => events.push(`depth ${depth}`),
        onDispatch: (b) => events.push(`dispatch ${b.rows} rows, waits ${b.queueWaitsMs.join(',')}`),
        onComplete: (b) => events.push(`complete ${b.ok} ${b.durationMs}ms`),
      },
    });
    void batcher.submit(1, { key: 'k', rows: 1 });
    await vi.advanceTimersByTimeAsync(1);
    void batcher.submit(2, { key: 'k', rows: 1 });
    void batcher.submit(3, { key: 'k', rows: 1 });
    await vi.advanceTimersByTimeAsync(5);
    calls[0]?.finish();
    await vi.advanceTimersByTimeAsync(0);
    expect(events).toEqual([
      'depth 1',
      'depth 0',
      'dispatch 1 rows, waits 0',
      'depth 1',
      'depth 2',
      'complete true 6ms',
      'depth 0',
      'dispatch 2 rows, waits 5,5',
    ]);
  });

  it('caps padded cells per batch: rows × the widest unit stays within maxBatchCells', async () => {
    const { batcher, calls } = harness({ maxBatchSize: 8, maxBatchCells: 40, concurrency: 1 });
    void batcher.submit(1, { key: 'k', rows: 2, width: 5 });
    // 2·5 + 2·20 = 50 cells waiting ≥ 40: the size trigger fires; 1 and 2 padded: 4 × 20 = 80 > 40
    void batcher.submit(2, { key: 'k', rows: 2, width: 20 });
    void batcher.submit(3, { key: 'k', rows: 2, width: 5 });
    void batcher.submit(4, { key: 'k', rows: 3, width: 5 });
    expect(calls.map((c) => c.inputs)).toEqual([[1]]);
    calls[0]?.finish();
    await vi.advanceTimersByTimeAsync(0);
    expect(calls.map((c) => c.inputs)[1]).toEqual([2]); // 3 and 4 would pad to width 20
    calls[1]?.finish();
    await vi.advanceTimersByTimeAsync(0);
    expect(calls.map((c) => c.inputs)[2]).toEqual([3, 4]); // 5 rows × 5 = 25 cells
  });

  it('runs a unit wider than maxBatchCells on its own instead of refusing it', async () => {
    const { batcher, calls } = harness({ maxBatchCells: 10 });
    const result = batcher.submit(7, { key: 'k', rows: 1, width: 500 });
    expect(calls.map((c) => c.inputs)).toEqual([[7]]);
    calls[0]?.finish();
    await expect(result).resolves.toBe(70);
  });

  it('queues the units of one request together and counts the request once against maxQueueSize', async () => {
    const { batcher, calls } = harness({ maxBatchSize: 2, maxQueueSize: 1 });
    const units = [1, 2, 3, 4, 5].map((input) => ({ input, key: 'k', rows: 1 }));
    const all = batcher.submitUnits(units);
    expect(calls.map((c) => c.inputs)).toEqual([[1, 2]]);
    expect(batcher.depth).toBe(1);
    await expect(batcher.submit(9, { key: 'k', rows: 1 })).rejects.toMatchObject({ code: 'QUEUE_FULL' });
    for (let i = 0; i < 3; i += 1) {
      calls[i]?.finish();
      await vi.advanceTimersByTimeAsync(2);
    }
    expect(calls.map((c) => c.inputs)).toEqual([[1, 2], [3, 4], [5]]);
    expect(batcher.depth).toBe(0);
    await expect(all).resolves.toEqual([10, 20, 30, 40, 50]);
  });

  it('settles a one-unit submitUnits like a submit: in batch order, before requests behind it', async () => {
    const { batcher, calls } = harness({ maxQueueDelayMs: 1000 });
    const settled: string[] = [];
    void batcher.submit(0, { key: 'k', rows: 1 });
    const one = batcher.submitUnits([{ input: 1, key: 'k', rows: 1 }]).then((outputs) => settled.push(`units ${outputs.join()}`));
    const single = batcher.submit(2, { key: 'k', rows: 1 }).then((output) => settled.push(`submit ${output}`));
    expect(batcher.depth).toBe(2);
    calls[0]?.finish();
    await vi.advanceTimersByTimeAsync(0);
    expect(calls.map((c) => c.inputs)).toEqual([[0], [1, 2]]);
    calls[1]?.finish();
    await Promise.all([one, single]);
    // the one-unit request is settled by its batch directly (one promise, no Promise.all after it)
    expect(settled).toEqual(['units 10', 'submit 20']);
  });

  it('asks admit before each dispatch: a refused batch stays in the one queue until a batch completes', async () => {
    let allow = true;
    const asked: number[] = [];
    const { batcher, calls } = harness({
      concurrency: 2,
      maxQueueDelayMs: 0,
      admit: (cells) => {
        asked.push(cells);
        return allow;
      },
    });
    submitAll(batcher, [1]);
    allow = false;
    void batcher.submit(2, { key: 'k', rows: 2, width: 3 });
    expect(calls.map((c) => c.inputs)).toEqual([[1]]);
    expect(asked).toEqual([1, 6]);
    expect(batcher.depth).toBe(1);
    allow = true;
    calls[0]?.finish();
    await vi.advanceTimersByTimeAsync(0);
    expect(calls.map((c) => c.inputs)).toEqual([[1], [2]]);
  });

  it('wake() dispatches a batch admit refused while nothing runs (a worker being started came up)', async () => {
    let allow = false;
    const { batcher, calls } = harness({ concurrency: 2, maxQueueDelayMs: 0, admit: () => allow });
    void batcher.submit(1, { key: 'k', rows: 1 });
    expect(calls).toHaveLength(0);
    batcher.wake();
    expect(calls).toHaveLength(0); // still refused: stays queued
    allow = true;
    batcher.wake();
    expect(calls.map((c) => c.inputs)).toEqual([[1]]);
    expect(batcher.depth).toBe(0);
  });

  it('rejects nonsensical options', () => {
    expect(() => harness({ maxBatchSize: 0 })).toThrow(RangeError);
    expect(() => harness({ concurrency: 0 })).toThrow(RangeError);
    expect(() => harness({ maxBatchCells: 0 })).toThrow(RangeError);
  });
});
