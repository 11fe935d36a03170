/**
 * Property-based fuzzing (fast-check) of the request bodies through the real app and the real
 * models: whatever arrives at `/predict` or `/v2/models/{m}/infer` — generated nesting, huge or
 * empty shapes, wrong datatypes, odd JSON (duplicate keys, `__proto__`, big numbers, lone
 * surrogates, invalid UTF-8) — the answer is a 2xx, or a 4xx with a stable code, never a 5xx,
 * and the replica keeps answering. Most runs go through inject(); one property goes through a
 * real port. Seeded (FUZZ_SEED, FUZZ_RUNS to explore further).
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import type { FastifyInstance } from 'fastify';
import { request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MODEL_INFO } from '@fleet/model';
import { IRIS_CLASSIFIER, writeLinearClassifier } from '@fleet/model/onnx-writer';
import { buildApp } from '../src/app.js';
import { ERROR_CODES } from '../src/errors.js';
import { V2_DATATYPES } from '../src/model/tensors.js';
import { listen, testConfig } from './helpers.js';

const SEED = Number(process.env.FUZZ_SEED ?? 20_261_122);
const RUNS = Number(process.env.FUZZ_RUNS ?? 150);
const CODES = new Set<string>(Object.values(ERROR_CODES));
const TEXT_INFER = `/v2/models/${MODEL_INFO.name}/infer`;
const IRIS_INFER = '/v2/models/iris/infer';

let dir: string;
let text: FastifyInstance;
let iris: FastifyInstance;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'model-server-fuzz-'));
  const modelPath = join(dir, 'iris.onnx');
  await writeLinearClassifier({ ...IRIS_CLASSIFIER, inputName: 'input-0', outputName: 'output-0', path: modelPath });
  text = await buildApp({ config: testConfig({ serverId: 'fuzz-text', batching: { maxQueueDelayMs: 0 } }) });
  iris = await buildApp({ config: testConfig({ serverId: 'fuzz-iris', modelPath, batching: { maxQueueDelayMs: 0 } }) });
  await Promise.all([text.ready(), iris.ready()]);
  await Promise.all([text.whenReady(), iris.whenReady()]);
});

afterAll(async () => {
  await Promise.all([text?.close(), iris?.close()]);
  await rm(dir, { recursive: true, force: true });
});

// ---- generators -------------------------------------------------------------------------

const oddString = fc.oneof(
  fc.string({ maxLength: 30 }),
  fc.constantFrom('', ' ', '\ud800', '\udfff', 'a\ud83d', '😀', 'İ', '\u0000', '\u202e', 'x'.repeat(5000)),
  fc.array(fc.integer({ min: 0, max: 0xffff }), { maxLength: 20 }).map((units) => String.fromCharCode(...units)),
);
const oddNumber = fc.oneof(
  fc.integer(),
  fc.double(),
  fc.constantFrom(0, -0, 1e308, -1e308, 2 ** 53, 2 ** 64, 0.5, -1, 255, 256),
);
const leaf = fc.oneof(oddString, oddNumber, fc.boolean(), fc.constant(null), fc.dictionary(fc.string({ maxLength: 5 }), fc.integer(), { maxKeys: 2 }));
const { tree } = fc.letrec<{ tree: unknown }>((tie) => ({
  tree: fc.oneof({ depthSize: 'small', withCrossShrink: true }, leaf, fc.array(tie('tree'), { maxLength: 4 })),
}));
/** Arrays nested `depth` levels deep around a leaf (deeper ones are raw strings below: fast-check prints values recursively). */
const deep = fc.tuple(fc.integer({ min: 2, max: 400 }), leaf).map(([depth, value]) => {
  let nested: unknown = value;
  for (let i = 0; i < depth; i += 1) nested = [nested];
  return nested;
});
const dim = fc.oneof(
  fc.integer({ min: 0, max: 5 }),
  fc.constantFrom(0, 1, 2, 4, 255, 256, 257, 8000, 2 ** 31, 2 ** 53, 1e300),
  fc.integer({ min: -3, max: -1 }),
  fc.double({ min: 0, max: 10 }),
  oddString,
);
const shape = fc.oneof(fc.array(dim, { maxLength: 6 }), leaf, fc.constant(new Array(40).fill(1)));
const datatype = fc.oneof(fc.constantFrom(...V2_DATATYPES), oddString);
const data = fc.oneof(fc.array(leaf, { maxLength: 10 }), tree, deep, fc.array(oddString, { maxLength: 300 }));

/** A v2 input of any shape: right names and types often, anything else sometimes. */
function anyInput(names: string[]) {
  return fc.record(
    { name: fc.oneof(fc.constantFrom(...names), oddString), shape, datatype, data, parameters: fc.oneof(fc.object(), leaf) },
    { requiredKeys: [] },
  );
}

/** Well-formed text requests (rows consistent with data), so the model runs on odd texts too. */
const textRequest = fc
  .array(oddString, { minLength: 0, maxLength: 300 })
  .map((texts) => ({ id: 'fuzz', inputs: [{ name: 'text', shape: [texts.length], datatype: 'BYTES', data: texts }] }));
/** Well-formed iris requests with any numbers, nested or flat. */
const irisRequest = fc.tuple(fc.integer({ min: 0, max: 300 }), fc.boolean(), oddNumber).map(([rows, nested, value]) => {
  const row = [value, 1, 2, 3];
  const matrix = Array.from({ length: rows }, () => row);
  return { inputs: [{ name: 'input-0', shape: [rows, 4], datatype: 'FP32', data: nested ? matrix : matrix.flat() }] };
});

function v2Body(names: string[], wellFormed: fc.Arbitrary<unknown>) {
  return fc.oneof(
    wellFormed,
    fc.record(
      {
        id: fc.oneof(oddString, leaf),
        inputs: fc.oneof(fc.array(anyInput(names), { maxLength: 3 }), leaf),
        outputs: fc.oneof(fc.array(fc.record({ name: fc.oneof(fc.constantFrom('label', 'probabilities', 'output-0'), oddString) })), leaf),
        parameters: fc.oneof(fc.object(), leaf),
      },
      { requiredKeys: [] },
    ),
    fc.jsonValue(),
  );
}

const predictBody = fc.oneof(
  fc.record({ text: fc.oneof(oddString, leaf) }),
  fc.record({ texts: fc.oneof(fc.array(oddString, { maxLength: 300 }), tree, deep) }),
  fc.record({ text: oddString, texts: fc.array(oddString) }, { requiredKeys: [] }),
  fc.jsonValue(),
  tree,
);

/** Raw bodies that JSON.stringify never writes. */
const rawJson = fc.oneof(
  fc.constantFrom(
    '{"text":"a","text":"b"}',
    '{"texts":["a"],"texts":[]}',
    '{"__proto__":{"polluted":1},"text":"a"}',
    '{"constructor":{"prototype":{"polluted":1}},"text":"a"}',
    '{"text":"\\ud800"}',
    '{"texts":["\\udfff\\ud800","ok"]}',
    '{"text": 1e400}',
    '{"texts": [123456789012345678901234567890]}',
    `{"inputs":[{"name":"text","shape":[1],"datatype":"BYTES","data":["\\ud800"]}]}`,
    `{"inputs":[{"name":"input-0","shape":[1,4],"datatype":"FP32","data":[1e400,1,2,3]}]}`,
    `{"inputs":[{"name":"input-0","shape":[1,4],"datatype":"FP32","data":[-1e-400,1,2,3]}],"inputs":[]}`,
    `{"inputs":[{"name":"input-0","__proto__":{"shape":[1,4]},"datatype":"FP32","data":[1,1,2,3]}]}`,
    `${'['.repeat(100_000)}${']'.repeat(100_000)}`,
    `{"inputs":[{"name":"text","shape":[1],"datatype":"BYTES","data":${'['.repeat(50_000)}"a"${']'.repeat(50_000)}}]}`,
    `{"text":${'{"a":'.repeat(20_000)}1${'}'.repeat(20_000)}}`,
    '',
    '{',
    'null',
    '{"text":"a"} trailing',
  ),
  fc.string({ maxLength: 60 }),
);

// ---- checks -------------------------------------------------------------------------------

interface Answer {
  statusCode: number;
  headers: Record<string, unknown>;
  body: string;
}

/** A 2xx, or a 4xx whose JSON body carries a stable code (and, on /v2, the protocol's `error`). */
function checkAnswer(res: Answer, v2: boolean): void {
  const context = `${res.statusCode} ${res.body.slice(0, 300)}`;
  expect(res.statusCode, context).toBeGreaterThanOrEqual(200);
  expect(res.statusCode, context).toBeLessThan(500);
  expect(res.headers['x-server-id'], context).toBeDefined();
  if (res.statusCode < 300) return;
  const body = JSON.parse(res.body) as { code?: string; error?: string; message?: string };
  expect(CODES.has(body.code ?? ''), context).toBe(true);
  expect(typeof (v2 ? body.error : body.message), context).toBe('string');
}

async function injectRaw(app: FastifyInstance, url: string, payload: string | Buffer): Promise<void> {
  const res = await app.inject({ method: 'POST', url, headers: { 'content-type': 'application/json' }, payload });
  checkAnswer({ statusCode: res.statusCode, headers: res.headers, body: res.body }, url.startsWith('/v2'));
}

const options = { seed: SEED, numRuns: RUNS };

describe('fuzzing the request bodies (real models)', () => {
  it('/predict: any JSON body → 2xx or 4xx with a stable code', async () => {
    await fc.assert(fc.asyncProperty(predictBody, (body) => injectRaw(text, '/predict', JSON.stringify(body) ?? 'null')), options);
  });

  it('v2 infer on the text model: any body → 2xx or 4xx with a stable code', async () => {
    const body = v2Body(['text'], textRequest);
    await fc.assert(fc.asyncProperty(body, (b) => injectRaw(text, TEXT_INFER, JSON.stringify(b) ?? 'null')), options);
  });

  it('v2 infer on a tensor model: any body → 2xx or 4xx with a stable code', async () => {
    const body = v2Body(['input-0'], irisRequest);
    await fc.assert(fc.asyncProperty(body, (b) => injectRaw(iris, IRIS_INFER, JSON.stringify(b) ?? 'null')), options);
  });

  it('odd JSON and invalid UTF-8 on every route → 2xx or 4xx with a stable code', async () => {
    const target = fc.constantFrom('/predict', TEXT_INFER, IRIS_INFER);
    const payload = fc.oneof(
      rawJson,
      fc.uint8Array({ maxLength: 64 }).map((bytes) => Buffer.concat([Buffer.from('{"text":"'), Buffer.from(bytes), Buffer.from('"}')])),
    );
    await fc.assert(
      fc.asyncProperty(target, payload, (url, p) => injectRaw(url === IRIS_INFER ? iris : text, url, p)),
      { ...options, numRuns: RUNS * 2 },
    );
  });

  it('through a real port: the same bodies never get a 5xx, and the replica keeps answering', async () => {
    const app = await buildApp({ config: testConfig({ serverId: 'fuzz-port', batching: { maxQueueDelayMs: 0 } }) });
    try {
      const base = await listen(app);
      await app.whenReady();
      const body = fc.oneof(
        predictBody.map((b) => ['/predict', JSON.stringify(b) ?? 'null'] as const),
        v2Body(['text'], textRequest).map((b) => [TEXT_INFER, JSON.stringify(b) ?? 'null'] as const),
        rawJson.map((b) => ['/predict', b] as const),
      );
      await fc.assert(
        fc.asyncProperty(body, async ([path, payload]) => {
          const res = await request(base + path, { method: 'POST', headers: { 'content-type': 'application/json' }, body: payload });
          checkAnswer({ statusCode: res.statusCode, headers: res.headers, body: await res.body.text() }, path.startsWith('/v2'));
        }),
        { ...options, numRuns: Math.ceil(RUNS / 3) },
      );
      const live = await request(`${base}/health/live`);
      expect(live.statusCode).toBe(200);
      await live.body.dump();
    } finally {
      await app.close();
    }
  });

  it('leaves the replicas healthy and serving', async () => {
    for (const app of [text, iris]) expect((await app.inject({ method: 'GET', url: '/health/ready' })).statusCode).toBe(200);
    const res = await text.inject({ method: 'POST', url: '/predict', headers: { 'content-type': 'application/json' }, payload: '{"text":"hello"}' });
    expect(res.statusCode).toBe(200);
  });
});
