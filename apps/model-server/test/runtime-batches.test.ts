/**
 * How the runtime (src/model/runtime.ts) keys, assembles and splits batches, on the real
 * onnxruntime with a tiny two-input graph written into a temp dir: feeds named in any order
 * share a batch, another trailing shape or other fetches do not, the fetches reach the session,
 * an output without the batch dimension goes whole to every request, and each unit of a split
 * text request runs only its own texts. The fixture (runtime-fixture.ts) makes the batching
 * deterministic: the first request leaves alone, the rest wait for it and leave by key.
 */
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { WARMUP } from '@fleet/model';
import { attr, writeModel } from '@fleet/model/onnx-writer';
import { loadModel } from '../src/model/load.js';
import { createRuntime, type WorkItem } from '../src/model/runtime.js';
import { describeServedModel } from '../src/model/served-model.js';
import type { WireTensor } from '../src/model/tensors.js';
import { BATCHING, runtimeFixture } from './runtime-fixture.js';

const { path, start, cleanups } = runtimeFixture('runtime-batches', async (dir) => {
  // diff = a - b and sum = a + b per row ([batch, n]); total = the sum of every diff (a scalar)
  await writeModel(
    {
      graphName: 'pair',
      inputs: [
        { name: 'a', type: 'float32', shape: ['batch', 'n'] },
        { name: 'b', type: 'float32', shape: ['batch', 'n'] },
      ],
      outputs: [
        { name: 'diff', type: 'float32', shape: ['batch', 'n'] },
        { name: 'sum', type: 'float32', shape: ['batch', 'n'] },
        { name: 'total', type: 'float32', shape: [] },
      ],
      initializers: [{ name: 'axes', dims: [2], data: BigInt64Array.of(0n, 1n) }],
      nodes: [
        { op: 'Sub', inputs: ['a', 'b'], outputs: ['diff'] },
        { op: 'Add', inputs: ['a', 'b'], outputs: ['sum'] },
        { op: 'ReduceSum', inputs: ['diff', 'axes'], outputs: ['total'], attributes: { keepdims: attr.int(0) } },
      ],
    },
    join(dir, 'pair.onnx'),
  );
});
const pairPath = () => path('pair.onnx');

function tensor(rows: number[][]): WireTensor {
  return { type: 'float32', data: Float32Array.from(rows.flat()), dims: [rows.length, rows[0]?.length ?? 0] };
}

function pair(a: number[][], b: number[][], options: { bFirst?: boolean; fetches?: string[] } = {}): WorkItem {
  const feeds = options.bFirst === true ? { b: tensor(b), a: tensor(a) } : { a: tensor(a), b: tensor(b) };
  return { kind: 'tensors', feeds, ...(options.fetches ? { fetches: options.fetches } : {}) };
}

const values = (t: WireTensor | undefined): number[] => Array.from((t?.data ?? []) as Float32Array);

describe('runtime batches on a two-input graph', () => {
  it('feeds named in another order share a batch; each request gets its own rows back', async () => {
    const { runtime, dispatches } = await start(pairPath());
    const [first, ab, ba] = await Promise.all([
      runtime.infer(pair([[1, 1]], [[0, 0]])),
      runtime.infer(pair([[5, 7]], [[1, 2]])),
      runtime.infer(pair([[10, 20], [30, 40]], [[1, 1], [2, 2]], { bFirst: true })),
    ]);
    expect(dispatches.map((d) => [d.requests, d.rows])).toEqual([
      [1, 1],
      [2, 3],
    ]);
    expect(values(first?.diff)).toEqual([1, 1]);
    expect([ab?.diff?.dims, values(ab?.diff)]).toEqual([[1, 2], [4, 5]]);
    expect([ba?.diff?.dims, values(ba?.diff)]).toEqual([[2, 2], [9, 19, 28, 38]]);
    expect(values(ba?.sum)).toEqual([11, 21, 32, 42]);
  });

  it('another trailing shape is another batch', async () => {
    const { runtime, dispatches } = await start(pairPath());
    const [, two, three] = await Promise.all([
      runtime.infer(pair([[1, 1]], [[0, 0]])),
      runtime.infer(pair([[3, 3]], [[1, 1]])),
      runtime.infer(pair([[4, 4, 4]], [[1, 2, 3]])),
    ]);
    expect(dispatches.map((d) => [d.requests, d.rows])).toEqual([
      [1, 1],
      [1, 1],
      [1, 1],
    ]);
    // the first two have the same shape: one key between them, even though they ran apart
    expect(new Set(dispatches.map((d) => d.key)).size).toBe(2);
    expect(dispatches[2]?.key).not.toBe(dispatches[1]?.key);
    expect(values(two?.diff)).toEqual([2, 2]);
    expect(values(three?.diff)).toEqual([3, 2, 1]);
  });

  it('other fetches are another batch, and the session is asked for those fetches only', async () => {
    const { runtime, dispatches, jobs } = await start(pairPath());
    const [, diffOnly, sumOnly] = await Promise.all([
      runtime.infer(pair([[1, 1]], [[0, 0]])),
      runtime.infer(pair([[3, 3]], [[1, 1]], { fetches: ['diff'] })),
      runtime.infer(pair([[5, 5]], [[1, 1]], { fetches: ['sum'] })),
    ]);
    expect(dispatches).toHaveLength(3);
    expect(jobs.map((j) => (j.kind === 'tensors' ? j.fetches : undefined))).toEqual([undefined, ['diff'], ['sum']]);
    expect(Object.keys(diffOnly ?? {})).toEqual(['diff']);
    expect(values(diffOnly?.diff)).toEqual([2, 2]);
    expect(Object.keys(sumOnly ?? {})).toEqual(['sum']);
    expect(values(sumOnly?.sum)).toEqual([6, 6]);
  });

  it('an output without the batch dimension goes whole to every request of the batch', async () => {
    const { runtime, dispatches } = await start(pairPath());
    const [, x, y] = await Promise.all([
      runtime.infer(pair([[1, 1]], [[0, 0]])),
      runtime.infer(pair([[3, 3]], [[1, 1]])),
      runtime.infer(pair([[5, 5], [2, 2]], [[1, 1], [1, 1]])),
    ]);
    expect(dispatches.map((d) => d.requests)).toEqual([1, 2]);
    // total of the batch: (2 + 2) + (4 + 4) + (1 + 1)
    expect([x?.total?.dims, values(x?.total)]).toEqual([[], [14]]);
    expect([y?.total?.dims, values(y?.total)]).toEqual([[], [14]]);
  });
});

describe('runtime splits a text request', () => {
  it('each unit runs only its own texts, in order', async () => {
    const { runtime, jobs } = await start(undefined, { maxBatchSize: 2 });
    const texts = [...WARMUP.texts, 'a third text', 'a fourth', 'and a fifth'].slice(0, 5);
    const result = await runtime.predictTexts(texts);
    expect(result).toHaveLength(5);
    expect(jobs.map((j) => (j.kind === 'text' ? j.texts : []))).toEqual([texts.slice(0, 2), texts.slice(2, 4), texts.slice(4)]);
  });
});

describe('runtime and the backend’s executor policy', () => {
  it('asks the backend’s admit before a batch leaves, and tries again when the backend reports capacity', async () => {
    const backend = await loadModel({ modelPath: pairPath(), workers: 0, intraOpThreads: 1 });
    let allow = false;
    const asked: number[] = [];
    let capacity: (() => void) | undefined;
    backend.admit = (cells) => {
      asked.push(cells);
      return allow;
    };
    backend.onCapacity = (listener) => {
      capacity = listener;
    };
    const runtime = createRuntime({ backend, model: describeServedModel(backend.graph, { modelPath: pairPath(), name: undefined }), batching: BATCHING });
    cleanups.push(async () => {
      allow = true;
      capacity?.();
      await runtime.close();
    });
    let answered = false;
    const result = runtime.infer(pair([[3, 3]], [[1, 1]])).then((outputs) => {
      answered = true;
      return outputs;
    });
    await new Promise((resolve) => setImmediate(resolve));
    // one row of two feeds of two elements: 4 padded cells
    expect([answered, runtime.queueDepth, runtime.batchesInFlight, asked]).toEqual([false, 1, 0, [4]]);
    allow = true;
    capacity?.();
    expect(values((await result).diff)).toEqual([2, 2]);
    expect(runtime.queueDepth).toBe(0);
  });

  it('flush() resolves once everything queued has been answered', async () => {
    const { runtime } = await start(pairPath());
    const settled: number[] = [];
    const pending = [1, 2, 3].map((i) => runtime.infer(pair([[i, i]], [[0, 0]])).then(() => settled.push(i)));
    expect(runtime.queueDepth).toBe(2);
    await runtime.flush();
    expect([runtime.queueDepth, runtime.batchesInFlight]).toEqual([0, 0]);
    await new Promise((resolve) => setImmediate(resolve));
    expect(settled.sort()).toEqual([1, 2, 3]);
    await Promise.all(pending);
  });
});
