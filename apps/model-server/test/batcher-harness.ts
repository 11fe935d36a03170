import { createBatcher, type BatcherOptions } from '../src/model/batcher.js';

/** One batch the batcher dispatched, held until the test finishes or fails it. */
export interface Call {
  key: string;
  inputs: number[];
  cells: number;
  finish: () => void;
  fail: (error: Error) => void;
}

/**
 * A batcher whose batches complete only when the test says so (each result is its input × 10);
 * time comes from the fake clock. Shared by the batcher's unit and edge tests.
 */
export function harness(overrides: Partial<BatcherOptions<number, number>> = {}) {
  const calls: Call[] = [];
  const batcher = createBatcher<number, number>({
    maxBatchSize: 4,
    maxQueueDelayMs: 2,
    maxQueueSize: 8,
    concurrency: 1,
    now: () => Date.now(),
    run: (key, inputs, cells) =>
      new Promise((resolve, reject) => {
        calls.push({ key, inputs, cells, finish: () => resolve(inputs.map((x) => x * 10)), fail: reject });
      }),
    ...overrides,
  });
  return { batcher, calls };
}
