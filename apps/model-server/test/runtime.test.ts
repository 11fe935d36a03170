/**
 * The inference runtime (src/model/runtime.ts) on the real onnxruntime: requests merged into one
 * batch each get their own rows back, large requests split into units and joined in order, batch
 * keys (trailing shape, fetches, non-batchable graphs), the warm-up check and shutdown. The
 * models are tiny: the reference text model and linear classifiers written into a temp dir
 * (runtime-fixture.ts; its long maxQueueDelayMs makes the batching deterministic).
 */
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { MODEL_INFO, WARMUP } from '@fleet/model';
import { IRIS_CLASSIFIER, linearClassifierForward, linearClassifierSpec, writeLinearClassifier, writeModel } from '@fleet/model/onnx-writer';
import type { BatchDispatch } from '../src/model/batcher.js';
import type { InferenceBackend, JobResult } from '../src/model/jobs.js';
import { loadModel } from '../src/model/load.js';
import { createRuntime, labelRows, type InferenceRuntime, type WorkItem } from '../src/model/runtime.js';
import { describeServedModel, PROBABILITIES_OUTPUT } from '../src/model/served-model.js';
import type { WireTensor } from '../src/model/tensors.js';
import { fakeTextBackend } from './fake-backend.js';
import { BATCHING, runtimeFixture } from './runtime-fixture.js';

const IRIS = { ...IRIS_CLASSIFIER, inputName: 'x', outputName: 'y' };

const { path, start, cleanups } = runtimeFixture('runtime', async (dir) => {
  await writeLinearClassifier({ ...IRIS, path: join(dir, 'iris.onnx') });
  // the same classifier with a fixed batch dimension (1, then 2): requests cannot be stacked
  const spec = linearClassifierSpec(IRIS);
  for (const batch of [1, 2]) {
    await writeModel(
      {
        ...spec,
        inputs: [{ name: 'x', type: 'float32', shape: [batch, IRIS.inputDim] }],
        outputs: [{ name: 'y', type: 'float32', shape: [batch, IRIS.classes] }],
      },
      join(dir, `fixed-${batch}.onnx`),
    );
  }
});
const irisPath = () => path('iris.onnx');
const fixedPath = (batch = 1) => path(`fixed-${batch}.onnx`);

const rows = (n: number, offset = 0): number[][] =>
  Array.from({ length: n }, (_, r) => Array.from({ length: IRIS.inputDim }, (_, c) => ((r + offset) * 7 + c * 3) % 10));

function tensors(values: number[][], fetches?: string[]): WorkItem {
  const x: WireTensor = { type: 'float32', data: Float32Array.from(values.flat()), dims: [values.length, IRIS.inputDim] };
  return { kind: 'tensors', feeds: { x }, ...(fetches ? { fetches } : {}) };
}

function expectRows(tensor: WireTensor | undefined, expected: number[][]): void {
  expect(tensor?.dims).toEqual([expected.length, IRIS.classes]);
  const actual = Array.from(tensor?.data as Float32Array);
  expected.flat().forEach((value, i) => expect(actual[i]).toBeCloseTo(value, 5));
}

describe('runtime with the reference text model', () => {
  let runtime: InferenceRuntime;
  let dispatches: BatchDispatch[];
  let inferenceMs: number[];

  it('runs requests submitted together as one batch and gives each request its own rows', async () => {
    ({ runtime, dispatches, inferenceMs } = await start(undefined));
    const texts = [...WARMUP.texts];
    const alone: Awaited<ReturnType<InferenceRuntime['predictTexts']>> = [];
    for (const text of texts) alone.push(...(await runtime.predictTexts([text])));
    expect(alone.map((p) => p.label)).toEqual([...WARMUP.expectedLabels]);
    dispatches.length = 0;

    const [first, pair, ...singles] = await Promise.all([
      runtime.predictTexts(['the first request leaves alone']),
      runtime.predictTexts([texts[1] as string, texts[0] as string]),
      ...texts.map((text) => runtime.predictTexts([text])),
    ]);
    expect(dispatches.map((d) => [d.requests, d.rows])).toEqual([
      [1, 1],
      [1 + texts.length, 2 + texts.length],
    ]);
    expect(first).toHaveLength(1);
    expect(pair?.map((p) => p.label)).toEqual([WARMUP.expectedLabels[1], WARMUP.expectedLabels[0]]);
    expect(pair?.[0]?.probabilities.spam).toBeCloseTo(alone[1]?.probabilities.spam as number, 5);
    singles.forEach((result, i) => {
      expect(result).toHaveLength(1);
      expect(result[0]?.label).toBe(alone[i]?.label);
      for (const label of MODEL_INFO.labels) expect(result[0]?.probabilities[label]).toBeCloseTo(alone[i]?.probabilities[label] as number, 5);
    });
    expect(inferenceMs.length).toBeGreaterThanOrEqual(2 + texts.length);
    expect(inferenceMs.every((ms) => ms >= 0)).toBe(true);
    await runtime.warmup();
  });

  it('splits a request larger than maxBatchSize into units and joins their outputs in order', async () => {
    ({ runtime, dispatches } = await start(undefined, { maxBatchSize: 2 }));
    const texts = [...WARMUP.texts, ...WARMUP.texts, WARMUP.texts[0] as string];
    const labels = [...WARMUP.expectedLabels, ...WARMUP.expectedLabels, WARMUP.expectedLabels[0]];
    const result = await runtime.predictTexts(texts);
    expect(result.map((p) => p.label)).toEqual(labels);
    expect(dispatches.map((d) => d.rows)).toEqual(Array.from({ length: Math.ceil(texts.length / 2) }, (_, i) => Math.min(2, texts.length - 2 * i)));
    const outputs = await runtime.infer({ kind: 'text', texts });
    expect(outputs[PROBABILITIES_OUTPUT]?.dims).toEqual([texts.length, MODEL_INFO.labels.length]);
  });

  it('finishes queued work on close, then refuses new work', async () => {
    ({ runtime } = await start(undefined));
    cleanups.pop(); // closed here
    const pending = [0, 1, 2].map(() => runtime.predictTexts([WARMUP.texts[0] as string]));
    expect(runtime.queueDepth).toBe(2);
    expect(runtime.batchesInFlight).toBe(1);
    await runtime.close();
    const done = await Promise.all(pending);
    expect(done.map((r) => r[0]?.label)).toEqual([0, 1, 2].map(() => WARMUP.expectedLabels[0]));
    expect(runtime.queueDepth).toBe(0);
    expect(runtime.batchesInFlight).toBe(0);
    await expect(runtime.predictTexts(['late'])).rejects.toMatchObject({ code: 'SHUTTING_DOWN' });
  });

  it('closes once: a second close (SIGTERM then SIGINT, or a test cleanup) resolves instead of throwing', async () => {
    ({ runtime } = await start(undefined));
    cleanups.pop(); // closed here
    await Promise.all([runtime.close(), runtime.close()]);
    await expect(runtime.close()).resolves.toBeUndefined();
  });
});

describe('runtime with a tensor model', () => {
  it('stacks requests with the same input shape and fetches, splits the outputs back per request', async () => {
    const { runtime, dispatches } = await start(irisPath());
    const a = rows(1);
    const b = rows(3, 1);
    const c = rows(2, 4);
    const d = rows(2, 6);
    const results = await Promise.all([
      runtime.infer(tensors(a)),
      runtime.infer(tensors(b)),
      runtime.infer(tensors(c, ['y'])),
      runtime.infer(tensors(d)),
    ]);
    // c asked for other fetches: a batch of its own
    expect(dispatches.map((x) => [x.requests, x.rows])).toEqual([
      [1, 1],
      [2, 5],
      [1, 2],
    ]);
    expect(new Set(dispatches.map((x) => x.key)).size).toBe(2);
    [a, b, c, d].forEach((values, i) => expectRows(results[i]?.y, linearClassifierForward(IRIS, values)));
    await runtime.warmup();
  });

  it('splits a request over maxBatchSize rows into batches and joins the rows in order', async () => {
    const { runtime, dispatches } = await start(irisPath(), { maxBatchSize: 2 });
    const values = rows(5, 2);
    const result = await runtime.infer(tensors(values));
    expect(dispatches.map((x) => x.rows)).toEqual([2, 2, 1]);
    expectRows(result.y, linearClassifierForward(IRIS, values));
  });

  it('splits by maxBatchCells too (elements per row count as cells)', async () => {
    const { runtime, dispatches } = await start(irisPath(), { maxBatchCells: 3 * IRIS.inputDim });
    const values = rows(7);
    const result = await runtime.infer(tensors(values));
    expect(dispatches.map((x) => [x.rows, x.cells])).toEqual([
      [3, 3 * IRIS.inputDim],
      [3, 3 * IRIS.inputDim],
      [1, IRIS.inputDim],
    ]);
    expectRows(result.y, linearClassifierForward(IRIS, values));
  });

  it('never stacks requests for a graph with a fixed batch dimension', async () => {
    const { runtime, dispatches } = await start(fixedPath());
    const inputs = [rows(1), rows(1, 3), rows(1, 5)];
    const results = await Promise.all(inputs.map((values) => runtime.infer(tensors(values))));
    expect(dispatches.map((x) => [x.requests, x.rows])).toEqual([
      [1, 1],
      [1, 1],
      [1, 1],
    ]);
    expect(new Set(dispatches.map((x) => x.key)).size).toBe(3);
    inputs.forEach((values, i) => expectRows(results[i]?.y, linearClassifierForward(IRIS, values)));
    await runtime.warmup();
  });

  it('counts a request to a graph with a fixed batch dimension as one row, whatever that dimension', async () => {
    const { runtime, dispatches } = await start(fixedPath(2));
    const values = rows(2, 1);
    const result = await runtime.infer(tensors(values));
    // one unit of the whole request (it can be neither split nor stacked), counted as one row
    expect(dispatches.map((x) => [x.requests, x.rows])).toEqual([[1, 1]]);
    expectRows(result.y, linearClassifierForward(IRIS, values));
  });
});

describe('warm-up check', () => {
  const model = (backend: InferenceBackend) => describeServedModel(backend.graph, { modelPath: 'reference.onnx', name: undefined });

  it('fails with WARMUP_FAILED naming the labels when the text model answers wrongly', async () => {
    const backend = fakeTextBackend({ label: () => 'spam' });
    const runtime = createRuntime({ backend, model: model(backend), batching: BATCHING });
    cleanups.push(() => runtime.close());
    const wrong = JSON.stringify(WARMUP.texts.map(() => 'spam'));
    await expect(runtime.warmup()).rejects.toMatchObject({
      code: 'WARMUP_FAILED',
      message: `warm-up inference returned ${wrong}, expected ${JSON.stringify(WARMUP.expectedLabels)}`,
    });
  });

  it('checks every result runOnAll returns, and gives the backend the check and the padded cells', async () => {
    const backend = fakeTextBackend();
    const seen: { verify: unknown; cells: number | undefined }[] = [];
    const right = await backend.runOnAll({ kind: 'text', texts: [...WARMUP.texts] });
    const bad: JobResult = { outputs: {}, inferenceMs: 0 };
    backend.runOnAll = async (_job, verify, cells) => {
      seen.push({ verify, cells });
      return [...right, bad];
    };
    const runtime = createRuntime({ backend, model: model(backend), batching: BATCHING });
    cleanups.push(() => runtime.close());
    await expect(runtime.warmup()).rejects.toMatchObject({ code: 'WARMUP_FAILED', message: expect.stringContaining('returned []') });
    expect(seen).toHaveLength(1);
    expect(seen[0]?.verify).toBeTypeOf('function');
    expect(seen[0]?.cells).toBeGreaterThanOrEqual(WARMUP.texts.length);
    expect(() => (seen[0]?.verify as (r: JobResult) => void)(right[0] as JobResult)).not.toThrow();
  });

  it('fails a tensor model whose warm-up output is not finite', async () => {
    const backend = await loadModel({ modelPath: irisPath(), workers: 0, intraOpThreads: 1 });
    const nan: JobResult = { outputs: { y: { type: 'float32', data: Float32Array.from([Number.NaN]), dims: [1, 1] } }, inferenceMs: 0 };
    const fake: InferenceBackend = { ...backend, size: backend.size, graph: backend.graph, runOnAll: async () => [nan], close: () => backend.close() };
    const runtime = createRuntime({ backend: fake, model: describeServedModel(backend.graph, { modelPath: irisPath(), name: undefined }), batching: BATCHING });
    cleanups.push(() => runtime.close());
    await expect(runtime.warmup()).rejects.toMatchObject({ code: 'WARMUP_FAILED', message: "warm-up output 'y' is not finite" });
  });
});

describe('labelRows', () => {
  it('labels each row with its first maximum', () => {
    const backend = fakeTextBackend();
    const model = describeServedModel(backend.graph, { modelPath: 'reference.onnx', name: undefined });
    const [ham, spam] = MODEL_INFO.labels;
    const data = Float32Array.from([0.5, 0.5, 0.2, 0.8, 0.9, 0.1]);
    const result = labelRows(model, { type: 'float32', data, dims: [3, 2] });
    expect(result).toEqual([
      { label: ham, probabilities: { [ham as string]: 0.5, [spam as string]: 0.5 } },
      { label: spam, probabilities: { [ham as string]: expect.closeTo(0.2, 6), [spam as string]: expect.closeTo(0.8, 6) } },
      { label: ham, probabilities: { [ham as string]: expect.closeTo(0.9, 6), [spam as string]: expect.closeTo(0.1, 6) } },
    ]);
  });
});
