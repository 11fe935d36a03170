import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MODEL_INFO, WARMUP } from '@fleet/model';
import { buildApp } from '../src/app.js';
import { testConfig } from './helpers.js';

const SERVER_ID = 'replica-under-test';
let app: FastifyInstance;

beforeAll(async () => {
  app = await buildApp({ config: testConfig({ serverId: SERVER_ID, bodyLimit: 4096 }) });
  await app.ready();
  await app.whenReady();
});

afterAll(async () => {
  await app.close();
});

function post(payload: unknown, headers: Record<string, string> = { 'content-type': 'application/json' }) {
  return app.inject({ method: 'POST', url: '/predict', headers, payload: typeof payload === 'string' ? payload : JSON.stringify(payload) });
}

describe('POST /predict (real model)', () => {
  it('classifies one text: top-level label and probabilities, model, server_id', async () => {
    const res = await post({ text: WARMUP.texts[1] });
    expect(res.statusCode).toBe(200);
    expect(res.headers['x-server-id']).toBe(SERVER_ID);
    const body = res.json();
    expect(body).toMatchObject({
      server_id: SERVER_ID,
      model: { name: MODEL_INFO.name, version: MODEL_INFO.version },
      label: 'spam',
    });
    expect(body.predictions).toHaveLength(1);
    expect(body.predictions[0].label).toBe('spam');
    expect(body.probabilities.ham + body.probabilities.spam).toBeCloseTo(1, 5);
  });

  it('classifies several texts in one request, in order', async () => {
    const res = await post({ texts: [...WARMUP.texts] });
    expect(res.statusCode).toBe(200);
    const body = res.json();
    expect(body.predictions.map((p: { label: string }) => p.label)).toEqual([...WARMUP.expectedLabels]);
    expect(body).not.toHaveProperty('label');
  });

  it('gives the same answer alone and inside a batch (padding does not change results)', async () => {
    const alone = (await post({ text: WARMUP.texts[0] })).json().probabilities.ham as number;
    const batched = (await post({ texts: ['short', WARMUP.texts[0] as string, 'a much longer text '.repeat(40)] })).json();
    expect(batched.predictions[1].probabilities.ham).toBeCloseTo(alone, 5);
  });
});

describe('request validation: exact error bodies', () => {
  const cases: [string, unknown, { code: string; message: string; field?: string }][] = [
    ['empty object', {}, { code: 'VALIDATION_FAILED', message: 'body must contain exactly one of "text" or "texts"', field: 'text' }],
    [
      'both text and texts',
      { text: 'a', texts: ['b'] },
      { code: 'VALIDATION_FAILED', message: 'body must contain exactly one of "text" or "texts"', field: 'text' },
    ],
    ['text not a string', { text: 42 }, { code: 'VALIDATION_FAILED', message: 'text must be string', field: 'text' }],
    [
      'empty text',
      { text: '' },
      { code: 'VALIDATION_FAILED', message: 'text must NOT have fewer than 1 characters', field: 'text' },
    ],
    ['texts item not a string', { texts: ['ok', 3] }, { code: 'VALIDATION_FAILED', message: 'texts[1] must be string', field: 'texts[1]' }],
    ['empty texts', { texts: [] }, { code: 'VALIDATION_FAILED', message: 'texts must NOT have fewer than 1 items', field: 'texts' }],
    [
      'too many texts',
      { texts: Array.from({ length: 257 }, () => 'x') },
      { code: 'VALIDATION_FAILED', message: 'texts must NOT have more than 256 items', field: 'texts' },
    ],
    ['unknown field', { txt: 'a' }, { code: 'VALIDATION_FAILED', message: 'txt is not an allowed field', field: 'txt' }],
    ['array body', ['a'], { code: 'VALIDATION_FAILED', message: 'body must be object', field: 'body' }],
  ];

  it.each(cases)('400 for %s', async (_name, payload, expected) => {
    const res = await post(payload);
    expect(res.statusCode).toBe(400);
    expect(res.headers['x-server-id']).toBe(SERVER_ID);
    expect(res.json()).toEqual({ ...expected, server_id: SERVER_ID });
  });

  it('400 INVALID_JSON for a malformed body', async () => {
    const res = await post('{"text": "unterminated');
    expect(res.statusCode).toBe(400);
    expect(res.json()).toEqual({ code: 'INVALID_JSON', message: 'request body is not valid JSON', server_id: SERVER_ID });
  });

  it('400 INVALID_JSON for an empty JSON body', async () => {
    const res = await post('');
    expect(res.statusCode).toBe(400);
    expect(res.json()).toEqual({ code: 'INVALID_JSON', message: 'request body is not valid JSON', server_id: SERVER_ID });
  });

  it('413 BODY_TOO_LARGE past the configured body limit', async () => {
    const res = await post({ text: 'x'.repeat(5000) });
    expect(res.statusCode).toBe(413);
    expect(res.headers['x-server-id']).toBe(SERVER_ID);
    expect(res.json()).toEqual({ code: 'BODY_TOO_LARGE', message: 'request body is larger than the limit', server_id: SERVER_ID });
  });

  it.each(['text/plain', 'application/x-www-form-urlencoded', 'application/xml'])('415 for content-type %s', async (type) => {
    const res = await post('text=hello', { 'content-type': type });
    expect(res.statusCode).toBe(415);
    expect(res.json()).toEqual({
      code: 'UNSUPPORTED_MEDIA_TYPE',
      message: 'content-type must be application/json',
      server_id: SERVER_ID,
    });
  });

  it('accepts application/json with a charset', async () => {
    const res = await post({ text: 'hello' }, { 'content-type': 'application/json; charset=utf-8' });
    expect(res.statusCode).toBe(200);
  });

  it('404 NOT_FOUND JSON for unknown routes and methods', async () => {
    const res = await app.inject({ method: 'GET', url: '/nope?x=1' });
    expect(res.statusCode).toBe(404);
    expect(res.headers['x-server-id']).toBe(SERVER_ID);
    expect(res.json()).toEqual({ code: 'NOT_FOUND', message: 'route GET /nope?x=1 not found', server_id: SERVER_ID });
    const wrongMethod = await app.inject({ method: 'GET', url: '/predict' });
    expect(wrongMethod.statusCode).toBe(404);
    expect(wrongMethod.json().code).toBe('NOT_FOUND');
  });

  it('400 BAD_URL JSON (with x-server-id) for an undecodable URL', async () => {
    const res = await app.inject({ method: 'GET', url: '/predict%ff' });
    expect(res.statusCode).toBe(400);
    expect(res.headers['x-server-id']).toBe(SERVER_ID);
    expect(res.json()).toEqual({
      code: 'BAD_URL',
      message: "'/predict%ff' is not a valid url component",
      server_id: SERVER_ID,
    });
  });

  it('survives hostile payloads: deep nesting, huge numbers, unicode, prototype keys', async () => {
    const payloads = [
      '{"__proto__": {"x": 1}, "text": "a"}',
      '{"constructor": {"prototype": {}}}',
      `{"text": "${'\\ud83d\\ude00'.repeat(100)}"}`,
      `${'['.repeat(500)}${']'.repeat(500)}`,
      '{"texts": [1e999]}',
      'null',
      '"just a string"',
    ];
    for (const payload of payloads) {
      const res = await post(payload);
      expect([200, 400]).toContain(res.statusCode);
      expect(res.headers['x-server-id']).toBe(SERVER_ID);
    }
    const health = await app.inject({ method: 'GET', url: '/health/live' });
    expect(health.statusCode).toBe(200);
  });
});

describe('metrics and docs', () => {
  it('exposes Prometheus metrics from the app registry', async () => {
    await post({ text: 'hello there' });
    const res = await app.inject({ method: 'GET', url: '/metrics' });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toContain('text/plain');
    expect(res.headers['x-server-id']).toBe(SERVER_ID);
    const text = res.body;
    expect(text).toMatch(/model_server_requests_total\{route="\/predict",method="POST",status="200"\} \d+/);
    expect(text).toContain('model_server_request_duration_seconds_bucket');
    expect(text).toContain('model_server_queue_duration_seconds_count');
    expect(text).toContain('model_server_inference_duration_seconds_count');
    expect(text).toContain('model_server_batch_size_bucket');
    expect(text).toContain('model_server_queue_depth 0');
    expect(text).toContain('model_server_requests_in_flight');
    expect(text).toContain(`model_server_model_info{name="${MODEL_INFO.name}",version="${MODEL_INFO.version}",kind="text",server_id="${SERVER_ID}"} 1`);
    expect(text).toContain('process_cpu_user_seconds_total');
  });

  it('serves an OpenAPI document listing the routes', async () => {
    const res = await app.inject({ method: 'GET', url: '/docs/json' });
    expect(res.statusCode).toBe(200);
    const doc = res.json();
    expect(doc.openapi).toMatch(/^3\./);
    expect(Object.keys(doc.paths)).toEqual(
      expect.arrayContaining(['/predict', '/health/live', '/health/ready', '/health', '/metrics', '/v2/models/{name}/infer']),
    );
    expect(doc.paths['/predict'].post.requestBody.content['application/json'].schema.properties).toHaveProperty('texts');
  });
});
