/**
 * The runtime tests' fixture (runtime.test.ts, runtime-batches.test.ts): a temp dir for tiny
 * model files, removed after the file, and `start()`, which opens a model on the real onnxruntime
 * (no workers) and builds the runtime on it, recording each dispatched batch, each inference
 * time and each job that reached the backend; runtimes started in a test are closed after it.
 * A long maxQueueDelayMs makes the batching deterministic: the first request leaves at once
 * (nothing runs), the ones submitted beside it wait for it and leave together when it completes.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll } from 'vitest';
import type { BatchDispatch } from '../src/model/batcher.js';
import type { Job } from '../src/model/jobs.js';
import { loadModel } from '../src/model/load.js';
import { createRuntime, type BatchingOptions } from '../src/model/runtime.js';
import { describeServedModel } from '../src/model/served-model.js';

export const BATCHING: BatchingOptions = { maxBatchSize: 32, maxQueueDelayMs: 600_000, maxQueueSize: 100, maxBatchCells: 1_000_000 };

/** Registers the file's hooks; `write` puts the models into the temp dir before the first test. */
export function runtimeFixture(prefix: string, write: (dir: string) => Promise<void>) {
  let dir = '';
  const cleanups: (() => Promise<unknown>)[] = [];

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), `model-server-${prefix}-`));
    await write(dir);
  });
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  /** The path of a model file written into the temp dir (valid once the tests run). */
  const path = (name: string): string => join(dir, name);

  /** A runtime on the model at `modelPath` (the reference text model when undefined). */
  async function start(modelPath: string | undefined, batching: Partial<BatchingOptions> = {}) {
    const backend = await loadModel({ modelPath, workers: 0, intraOpThreads: 1 });
    const jobs: Job[] = [];
    const run = backend.run.bind(backend);
    backend.run = (job, cells) => {
      jobs.push(job);
      return run(job, cells);
    };
    const model = describeServedModel(backend.graph, { modelPath: modelPath ?? 'reference.onnx', name: undefined });
    const dispatches: BatchDispatch[] = [];
    const inferenceMs: number[] = [];
    const runtime = createRuntime({
      backend,
      model,
      batching: { ...BATCHING, ...batching },
      hooks: { batch: { onDispatch: (b) => dispatches.push(b) }, onInference: (ms) => inferenceMs.push(ms) },
    });
    cleanups.push(() => runtime.close());
    return { runtime, dispatches, inferenceMs, jobs };
  }

  return { path, start, cleanups };
}
