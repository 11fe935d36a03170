/**
 * Open Inference Protocol v2 conformance, with KServe iris-input.json-style requests against an
 * iris-like ONNX model written into a temp dir (served through the modelPath/MODEL_PATH route),
 * and against the reference text model (BYTES input).
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MODEL_INFO, WARMUP } from '@fleet/model';
import { IRIS_CLASSIFIER, linearClassifierForward, writeLinearClassifier } from '@fleet/model/onnx-writer';
import { buildApp } from '../src/app.js';
import { startProcess, testConfig } from './helpers.js';

const IRIS = { ...IRIS_CLASSIFIER, inputName: 'input-0', outputName: 'output-0' };
const ROWS = [
  [6.8, 2.8, 4.8, 1.4],
  [6.0, 3.4, 4.5, 1.6],
];
/** KServe docs/samples/v1beta1/sklearn/v2/iris-input.json, shape for shape. */
const IRIS_REQUEST = {
  inputs: [{ name: 'input-0', shape: [2, 4], datatype: 'FP32', data: ROWS.flat() }],
};

let dir: string;
let modelPath: string;
let iris: FastifyInstance;
let text: FastifyInstance;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'model-server-v2-'));
  modelPath = join(dir, 'iris.onnx');
  await writeLinearClassifier({ ...IRIS, path: modelPath });
  iris = await buildApp({ config: testConfig({ serverId: 'v2-iris', modelPath }) });
  text = await buildApp({ config: testConfig({ serverId: 'v2-text' }) });
  await Promise.all([iris.ready(), text.ready()]);
  await Promise.all([iris.whenReady(), text.whenReady()]);
});

afterAll(async () => {
  await Promise.all([iris?.close(), text?.close()]);
  await rm(dir, { recursive: true, force: true });
});

function infer(app: FastifyInstance, body: unknown, url = '/v2/models/iris/infer') {
  return app.inject({ method: 'POST', url, headers: { 'content-type': 'application/json' }, payload: JSON.stringify(body) });
}

function expectClose(actual: number[], expected: number[]): void {
  expect(actual).toHaveLength(expected.length);
  actual.forEach((value, i) => expect(value).toBeCloseTo(expected[i] as number, 5));
}

describe('v2 server endpoints', () => {
  it('GET /v2 gives server metadata; health live and ready are 200', async () => {
    const meta = await iris.inject({ method: 'GET', url: '/v2' });
    expect(meta.statusCode).toBe(200);
    expect(meta.json()).toMatchObject({ name: 'fleet-model-server', version: expect.any(String), extensions: [] });
    expect((await iris.inject({ method: 'GET', url: '/v2/health/live' })).json()).toMatchObject({ live: true });
    const ready = await iris.inject({ method: 'GET', url: '/v2/health/ready' });
    expect(ready.statusCode).toBe(200);
    expect(ready.json()).toMatchObject({ ready: true });
  });
});

describe('v2 with an iris-like model from MODEL_PATH', () => {
  it('reports model metadata with symbolic dims as -1', async () => {
    for (const url of ['/v2/models/iris', '/v2/models/iris/versions/1']) {
      const res = await iris.inject({ method: 'GET', url });
      expect(res.statusCode).toBe(200);
      expect(res.json()).toEqual({
        name: 'iris',
        versions: ['1'],
        platform: 'onnxruntime_onnx',
        inputs: [{ name: 'input-0', datatype: 'FP32', shape: [-1, 4] }],
        outputs: [{ name: 'output-0', datatype: 'FP32', shape: [-1, 3] }],
        server_id: 'v2-iris',
      });
    }
    const ready = await iris.inject({ method: 'GET', url: '/v2/models/iris/ready' });
    expect(ready.statusCode).toBe(200);
    expect(ready.json()).toMatchObject({ name: 'iris', ready: true });
  });

  it('infers the KServe iris request and echoes the id', async () => {
    const res = await infer(iris, { id: 'req-42', ...IRIS_REQUEST });
    expect(res.statusCode).toBe(200);
    const body = res.json();
    expect(body).toMatchObject({ model_name: 'iris', model_version: '1', id: 'req-42' });
    expect(body.outputs).toHaveLength(1);
    expect(body.outputs[0]).toMatchObject({ name: 'output-0', datatype: 'FP32', shape: [2, 3] });
    expectClose(body.outputs[0].data, linearClassifierForward(IRIS, ROWS).flat());
  });

  it('accepts the versioned path, nested row-major data and an outputs filter; no id → none echoed', async () => {
    const res = await infer(
      iris,
      { inputs: [{ ...IRIS_REQUEST.inputs[0], data: ROWS }], outputs: [{ name: 'output-0' }] },
      '/v2/models/iris/versions/1/infer',
    );
    expect(res.statusCode).toBe(200);
    expect(res.json()).not.toHaveProperty('id');
    expectClose(res.json().outputs[0].data, linearClassifierForward(IRIS, ROWS).flat());
  });

  it('stacks concurrent requests into one batch and gives each its own rows back', async () => {
    // the first request finds the replica idle and runs at once, alone; the other eleven arrive
    // while it runs and fill one size-triggered batch (a long queue delay never fires)
    const rows = Array.from({ length: 12 }, (_, i) => [4 + (i % 4), 2 + (i % 3) / 2, 1 + i / 3, (i % 5) / 2]);
    const batched = await buildApp({
      config: testConfig({ modelPath, batching: { maxBatchSize: rows.length - 1, maxQueueDelayMs: 60_000 } }),
    });
    try {
      await batched.ready();
      await batched.whenReady();
      const answers = await Promise.all(
        rows.map((row) => infer(batched, { inputs: [{ name: 'input-0', shape: [1, 4], datatype: 'FP32', data: row }] })),
      );
      answers.forEach((res, i) => {
        expect(res.statusCode).toBe(200);
        expectClose(res.json().outputs[0].data, linearClassifierForward(IRIS, [rows[i] as number[]]).flat());
      });
      const { values } = await batched.metrics.batchSize.get();
      const metric = (name: string) => values.find((v) => v.metricName === name)?.value;
      expect(metric('model_server_batch_size_count')).toBe(2);
      expect(metric('model_server_batch_size_sum')).toBe(rows.length);
    } finally {
      await batched.close();
    }
  });

  const errors: [string, unknown, string, string][] = [
    [
      'data length ≠ product of shape',
      { inputs: [{ name: 'input-0', shape: [2, 4], datatype: 'FP32', data: [1, 2, 3] }] },
      "input 'input-0': data has 3 elements, shape [2,4] needs 8",
      'inputs[0].data',
    ],
    [
      'datatype mismatch',
      { inputs: [{ ...IRIS_REQUEST.inputs[0], datatype: 'FP64' }] },
      "input 'input-0': datatype FP64 does not match the model's FP32",
      'inputs[0].datatype',
    ],
    [
      'name mismatch',
      { inputs: [{ ...IRIS_REQUEST.inputs[0], name: 'input-1' }] },
      "unexpected inference input 'input-1' for model 'iris'",
      'inputs[0].name',
    ],
    [
      'fixed dimension mismatch',
      { inputs: [{ name: 'input-0', shape: [2, 3], datatype: 'FP32', data: [1, 2, 3, 4, 5, 6] }] },
      "input 'input-0': shape [2,3] does not match the model's [-1,4]",
      'inputs[0].shape',
    ],
    [
      'rank mismatch',
      { inputs: [{ name: 'input-0', shape: [8], datatype: 'FP32', data: ROWS.flat() }] },
      "input 'input-0': shape [8] has rank 1, the model expects [-1,4]",
      'inputs[0].shape',
    ],
    [
      'unknown requested output',
      { ...IRIS_REQUEST, outputs: [{ name: 'output-0' }, { name: 'nope' }] },
      "unexpected inference output 'nope' for model 'iris'",
      'outputs[1].name',
    ],
    [
      'non-numeric data',
      { inputs: [{ name: 'input-0', shape: [1, 4], datatype: 'FP32', data: [1, 2, 'x', 4] }] },
      'input \'input-0\': "x" is not a valid FP32 value',
      'inputs[0].data',
    ],
    ['missing inputs', { id: 'x' }, 'inputs is required', 'inputs'],
    [
      'unknown datatype',
      { inputs: [{ ...IRIS_REQUEST.inputs[0], datatype: 'FLOAT' }] },
      'inputs[0].datatype must be equal to one of the allowed values',
      'inputs[0].datatype',
    ],
    [
      'more rows than one request may carry',
      { inputs: [{ name: 'input-0', shape: [257, 4], datatype: 'FP32', data: new Array(257 * 4).fill(1) }] },
      "input 'input-0': 257 rows in shape [257,4], at most 256 per request (split the request)",
      'inputs[0].shape',
    ],
    [
      'an empty batch',
      { inputs: [{ name: 'input-0', shape: [0, 4], datatype: 'FP32', data: [] }] },
      "input 'input-0': shape [0,4] has an empty dimension 0",
      'inputs[0].shape',
    ],
    [
      'data nested deeper than the shape',
      { inputs: [{ name: 'input-0', shape: [1, 4], datatype: 'FP32', data: [[[1, 2, 3, 4]]] }] },
      "input 'input-0': data is nested deeper than shape [1,4] (rank 2)",
      'inputs[0].data',
    ],
  ];

  it.each(errors)('400 {"error", "code", "field"} for %s', async (_name, body, message, field) => {
    const res = await infer(iris, body);
    expect(res.statusCode).toBe(400);
    expect(res.json()).toEqual({ error: message, code: 'VALIDATION_FAILED', field, server_id: 'v2-iris' });
  });

  it('400 (not a stack overflow) for data nested 100,000 levels deep', async () => {
    const payload = `{"inputs":[{"name":"input-0","shape":[1,4],"datatype":"FP32","data":${'['.repeat(100_000)}${']'.repeat(100_000)}}]}`;
    const res = await iris.inject({ method: 'POST', url: '/v2/models/iris/infer', headers: { 'content-type': 'application/json' }, payload });
    expect(res.statusCode).toBe(400);
    expect(res.json()).toMatchObject({ code: 'VALIDATION_FAILED', field: 'inputs[0].data' });
  });

  it('404 {"error"} for an unknown model or version', async () => {
    const unknownModel = await infer(iris, IRIS_REQUEST, '/v2/models/petunia/infer');
    expect(unknownModel.statusCode).toBe(404);
    expect(unknownModel.json()).toEqual({ error: "model 'petunia' is not served here", code: 'NOT_FOUND', server_id: 'v2-iris' });
    const meta = await iris.inject({ method: 'GET', url: '/v2/models/petunia' });
    expect(meta.statusCode).toBe(404);
    const version = await infer(iris, IRIS_REQUEST, '/v2/models/iris/versions/7/infer');
    expect(version.statusCode).toBe(404);
    expect(version.json()).toEqual({ error: "version '7' of model 'iris' is not served here", code: 'NOT_FOUND', server_id: 'v2-iris' });
  });

  it('400 {"error"} for malformed JSON on v2 routes', async () => {
    const res = await iris.inject({
      method: 'POST',
      url: '/v2/models/iris/infer',
      headers: { 'content-type': 'application/json' },
      payload: '{"inputs": [',
    });
    expect(res.statusCode).toBe(400);
    expect(res.json()).toEqual({ error: 'request body is not valid JSON', code: 'INVALID_JSON', server_id: 'v2-iris' });
  });

  it('/predict answers 400 MODEL_NOT_TEXT for a non-text model', async () => {
    const res = await iris.inject({
      method: 'POST',
      url: '/predict',
      headers: { 'content-type': 'application/json' },
      payload: JSON.stringify({ text: 'hello' }),
    });
    expect(res.statusCode).toBe(400);
    expect(res.json()).toEqual({
      code: 'MODEL_NOT_TEXT',
      message: "the loaded model 'iris' does not take text; use POST /v2/models/iris/infer",
      server_id: 'v2-iris',
    });
  });

  it('serves the same model through MODEL_PATH in the real process', async () => {
    const proc = await startProcess({ MODEL_PATH: modelPath, SERVER_ID: 'v2-proc' });
    try {
      const res = await request(`${proc.url}/v2/models/iris/infer`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ id: 'p-1', ...IRIS_REQUEST }),
      });
      expect(res.statusCode).toBe(200);
      expect(res.headers['x-server-id']).toBe('v2-proc');
      const body = (await res.body.json()) as { id: string; outputs: { data: number[] }[] };
      expect(body.id).toBe('p-1');
      expectClose(body.outputs[0]?.data ?? [], linearClassifierForward(IRIS, ROWS).flat());
    } finally {
      await proc.stop();
    }
  });
});

describe('v2 with the reference text model (BYTES input)', () => {
  it('reports a BYTES text input and probabilities/label outputs', async () => {
    const res = await text.inject({ method: 'GET', url: `/v2/models/${MODEL_INFO.name}` });
    expect(res.json()).toEqual({
      name: MODEL_INFO.name,
      versions: [MODEL_INFO.version],
      platform: 'onnxruntime_onnx',
      inputs: [{ name: 'text', datatype: 'BYTES', shape: [-1] }],
      outputs: [
        { name: 'probabilities', datatype: 'FP32', shape: [-1, 2] },
        { name: 'label', datatype: 'BYTES', shape: [-1] },
      ],
      server_id: 'v2-text',
    });
  });

  it('classifies BYTES inputs and answers the same as /predict', async () => {
    const body = { id: 'texts-1', inputs: [{ name: 'text', shape: [2], datatype: 'BYTES', data: [...WARMUP.texts] }] };
    const res = await infer(text, body, `/v2/models/${MODEL_INFO.name}/versions/${MODEL_INFO.version}/infer`);
    expect(res.statusCode).toBe(200);
    const out = res.json();
    expect(out).toMatchObject({ model_name: MODEL_INFO.name, model_version: MODEL_INFO.version, id: 'texts-1' });
    const [probabilities, label] = out.outputs;
    expect(label).toEqual({ name: 'label', datatype: 'BYTES', shape: [2], data: [...WARMUP.expectedLabels] });
    expect(probabilities).toMatchObject({ name: 'probabilities', datatype: 'FP32', shape: [2, 2] });
    const predict = await text.inject({
      method: 'POST',
      url: '/predict',
      headers: { 'content-type': 'application/json' },
      payload: JSON.stringify({ texts: [...WARMUP.texts] }),
    });
    const fromPredict = predict.json().predictions.flatMap((p: { probabilities: { ham: number; spam: number } }) => [
      p.probabilities.ham,
      p.probabilities.spam,
    ]);
    expectClose(probabilities.data, fromPredict);
  });

  it('400 when a text input is not BYTES or not strings', async () => {
    const wrongType = await infer(text, { inputs: [{ name: 'text', shape: [1], datatype: 'FP32', data: [1] }] }, `/v2/models/${MODEL_INFO.name}/infer`);
    expect(wrongType.statusCode).toBe(400);
    expect(wrongType.json().error).toBe("input 'text': datatype FP32 does not match the model's BYTES");
    const notStrings = await infer(text, { inputs: [{ name: 'text', shape: [1], datatype: 'BYTES', data: [1] }] }, `/v2/models/${MODEL_INFO.name}/infer`);
    expect(notStrings.statusCode).toBe(400);
    expect(notStrings.json().error).toBe("input 'text': BYTES data must be strings");
  });
});
