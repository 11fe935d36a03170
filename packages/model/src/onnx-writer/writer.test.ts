import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as ort from 'onnxruntime-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  IRIS_CLASSIFIER,
  OnnxWriterError,
  WRITER_ERROR_CODES,
  attr,
  encodeModel,
  linearClassifierForward,
  linearClassifierSpec,
  writeIrisClassifier,
  writeModel,
  type ModelSpec,
} from './index.js';

let dir: string;
const sessions: ort.InferenceSession[] = [];

async function load(path: string): Promise<ort.InferenceSession> {
  const session = await ort.InferenceSession.create(path, { intraOpNumThreads: 1, interOpNumThreads: 1 });
  sessions.push(session);
  return session;
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'fleet-onnx-writer-'));
});

afterAll(async () => {
  await Promise.all(sessions.map((s) => s.release()));
  await rm(dir, { recursive: true, force: true });
});

describe('writeIrisClassifier', () => {
  // KServe's iris sample rows: a setosa, a virginica, a versicolor.
  const rows = [
    [5.1, 3.5, 1.4, 0.2],
    [6.8, 2.8, 4.8, 1.4],
    [6.7, 3.0, 5.2, 2.3],
    [5.9, 3.0, 4.2, 1.5],
  ];

  beforeAll(async () => {
    await writeIrisClassifier(join(dir, 'iris.onnx'));
  });

  it('writes a model onnxruntime loads: input [-1,4] → output [-1,3]', async () => {
    const session = await load(join(dir, 'iris.onnx'));
    expect(session.inputNames).toEqual(['input']);
    expect(session.outputNames).toEqual(['output']);
    expect(session.inputMetadata[0]).toMatchObject({ type: 'float32', shape: ['batch', 4] });
    expect(session.outputMetadata[0]).toMatchObject({ type: 'float32', shape: ['batch', 3] });
  });

  it('computes the softmax of input · W + b', async () => {
    const session = await load(join(dir, 'iris.onnx'));
    const out = await session.run({ input: new ort.Tensor('float32', Float32Array.from(rows.flat()), [rows.length, 4]) });
    const data = [...(out.output?.data as Float32Array)];
    const expected = linearClassifierForward(IRIS_CLASSIFIER, rows);
    expect(out.output?.dims).toEqual([rows.length, 3]);
    expected.flat().forEach((p, i) => expect(data[i]).toBeCloseTo(p, 6));
    const argmax = expected.map((p) => IRIS_CLASSIFIER.labels[p.indexOf(Math.max(...p))]);
    expect(argmax).toEqual(['setosa', 'versicolor', 'virginica', 'versicolor']);
  });
});

describe('encodeModel', () => {
  it('is deterministic', () => {
    const spec = linearClassifierSpec(IRIS_CLASSIFIER);
    expect(Buffer.from(encodeModel(spec)).equals(Buffer.from(encodeModel(linearClassifierSpec(IRIS_CLASSIFIER))))).toBe(true);
  });

  it('writes int64 inputs, int/ints attributes and metadata that onnxruntime runs', async () => {
    const spec: ModelSpec = {
      graphName: 'lookup-sum',
      inputs: [{ name: 'ids', type: 'int64', shape: ['batch', 'sequence'] }],
      outputs: [{ name: 'total', type: 'float32', shape: ['batch'] }],
      initializers: [
        { name: 'table', dims: [3], data: Float32Array.of(0, 10, 100) },
        { name: 'axes', dims: [1], data: BigInt64Array.of(1n) },
      ],
      nodes: [
        { op: 'Gather', inputs: ['table', 'ids'], outputs: ['values'], attributes: { axis: attr.int(0) } },
        { op: 'ReduceSum', inputs: ['values', 'axes'], outputs: ['total'], attributes: { keepdims: attr.int(0) } },
      ],
      metadata: { b: '2', a: '1' },
    };
    const path = join(dir, 'lookup.onnx');
    await writeModel(spec, path);
    const session = await load(path);
    const out = await session.run({ ids: new ort.Tensor('int64', BigInt64Array.of(1n, 2n, 2n, 0n, 0n, 1n), [2, 3]) });
    expect([...(out.total?.data as Float32Array)]).toEqual([210, 10]);
  });

  it('rejects an initializer whose data does not fill its dims', () => {
    const spec = linearClassifierSpec(IRIS_CLASSIFIER);
    const bad = { ...spec, initializers: [{ name: 'W', dims: [4, 4], data: new Float32Array(12) }] };
    expect(() => encodeModel(bad)).toThrow(OnnxWriterError);
    expect(() => encodeModel(bad)).toThrow(expect.objectContaining({ code: WRITER_ERROR_CODES.BAD_INITIALIZER }));
  });

  it('rejects an unsupported opset', () => {
    const spec = { ...linearClassifierSpec(IRIS_CLASSIFIER), opset: 9 };
    expect(() => encodeModel(spec)).toThrow(expect.objectContaining({ code: WRITER_ERROR_CODES.UNSUPPORTED_OPSET }));
  });

  it('rejects weights of the wrong shape', () => {
    expect(() => linearClassifierSpec({ ...IRIS_CLASSIFIER, inputDim: 3 })).toThrow(RangeError);
  });
});
