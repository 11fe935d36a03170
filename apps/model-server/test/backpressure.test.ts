/**
 * Past the bounded queue the replica answers 503 + Retry-After with a JSON error, and every
 * request it accepted still completes once the workers free up. A request that arrives while
 * the server closes gets 503 SHUTTING_DOWN, also with Retry-After.
 */
import { connect } from 'node:net';
import type { FastifyInstance } from 'fastify';
import { request } from 'undici';
import { afterEach, describe, expect, it } from 'vitest';
import { buildApp } from '../src/app.js';
import { fakeTextBackend, type FakeBackend } from './fake-backend.js';
import { listen, testConfig, waitFor } from './helpers.js';

let app: FastifyInstance | undefined;
afterEach(async () => {
  await app?.close();
  app = undefined;
});

function predict(base: string, text: string, path = '/predict') {
  const body =
    path === '/predict'
      ? { text }
      : { inputs: [{ name: 'text', shape: [1], datatype: 'BYTES', data: [text] }] };
  return request(base + path, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  }).then(async (res) => ({ status: res.statusCode, headers: res.headers, body: (await res.body.json()) as Record<string, unknown> }));
}

/** Releases held batches as they reach the fake worker until `work` settles. */
async function releaseUntilSettled<T>(backend: FakeBackend, work: Promise<T>): Promise<T> {
  let settled = false;
  void work.finally(() => (settled = true));
  await waitFor(
    () => {
      backend.releaseAll();
      return settled ? true : undefined;
    },
    { what: 'requests to complete' },
  );
  return work;
}

describe('backpressure', () => {
  it('answers 503 QUEUE_FULL with Retry-After once maxQueueSize requests wait, then recovers', async () => {
    const backend = fakeTextBackend({ gated: true });
    app = await buildApp({
      config: testConfig({ serverId: 'bp', batching: { maxBatchSize: 1, maxQueueDelayMs: 0, maxQueueSize: 2 } }),
      backend,
    });
    const base = await listen(app);
    await app.whenReady();

    const running = predict(base, 'first');
    await waitFor(() => (backend.held.length === 1 ? true : undefined), { what: 'first batch on the worker' });
    const queued = [predict(base, 'second'), predict(base, 'third')];
    await waitFor(() => (app?.inference.queueDepth === 2 ? true : undefined), { what: 'two queued requests' });

    const rejected = await predict(base, 'fourth');
    expect(rejected.status).toBe(503);
    expect(rejected.headers['retry-after']).toBe('1');
    expect(rejected.headers['x-server-id']).toBe('bp');
    expect(rejected.body).toEqual({ code: 'QUEUE_FULL', message: 'inference queue is full (2 requests)', server_id: 'bp' });

    const v2 = await predict(base, 'fifth', '/v2/models/spam-classifier/infer');
    expect(v2.status).toBe(503);
    expect(v2.headers['retry-after']).toBe('1');
    expect(v2.body).toEqual({ error: 'inference queue is full (2 requests)', code: 'QUEUE_FULL', server_id: 'bp' });

    const live = await request(`${base}/health/live`);
    expect(live.statusCode).toBe(200);
    await live.body.dump();

    // counted as what they are (the monitoring rules alert on it), the bound exported beside it
    const metrics = await (await request(`${base}/metrics`)).body.text();
    expect(metrics).toContain('model_server_rejected_requests_total{code="QUEUE_FULL"} 2\n');
    expect(metrics).toContain('model_server_rejected_requests_total{code="SHUTTING_DOWN"} 0\n');
    expect(metrics).toContain('model_server_max_queue_size 2\n');

    const accepted = await releaseUntilSettled(backend, Promise.all([running, ...queued]));
    expect(accepted.map((r) => r.status)).toEqual([200, 200, 200]);
    const after = await releaseUntilSettled(backend, predict(base, 'sixth'));
    expect(after.status).toBe(200);
  });
});

function rawPredict(text: string): string {
  const body = JSON.stringify({ text });
  return `POST /predict HTTP/1.1\r\nHost: replica\r\nContent-Type: application/json\r\nContent-Length: ${body.length}\r\n\r\n${body}`;
}

describe('shutdown', () => {
  it('answers 503 SHUTTING_DOWN with Retry-After to a request arriving while the server closes', async () => {
    const backend = fakeTextBackend({ gated: true });
    app = await buildApp({
      config: testConfig({ serverId: 'closing', batching: { maxBatchSize: 1, maxQueueDelayMs: 0 } }),
      backend,
    });
    const base = await listen(app);
    await app.whenReady();
    const socket = connect(Number(new URL(base).port), '127.0.0.1');
    let received = '';
    socket.on('data', (chunk: Buffer) => (received += chunk.toString()));
    try {
      socket.write(rawPredict('in flight when the close starts'));
      await waitFor(() => (backend.held.length === 1 ? true : undefined), { what: 'the first request on the worker' });
      const rejected = app.metrics.rejected;
      const closed = app.close();
      // pipelined on the same connection: it reaches the server after close() began
      socket.write(rawPredict('too late'));
      const inFlight = async () => (await (app as FastifyInstance).metrics.inFlight.get()).values[0]?.value ?? 0;
      await waitFor(async () => ((await inFlight()) >= 2 ? true : undefined), { what: 'the second request to arrive' });
      backend.releaseAll();
      await waitFor(() => (received.split('HTTP/1.1 ').length > 2 && received.trimEnd().endsWith('}') ? true : undefined), {
        what: 'both responses',
      });
      await closed;
      app = undefined;
      const [first = '', second = ''] = received.split(/(?=HTTP\/1\.1 )/);
      expect(first).toMatch(/^HTTP\/1\.1 200 /);
      expect(second).toMatch(/^HTTP\/1\.1 503 /);
      expect(second.toLowerCase()).toContain('retry-after: 1\r\n');
      expect(second.toLowerCase()).toContain('x-server-id: closing\r\n');
      expect(JSON.parse(second.slice(second.indexOf('\r\n\r\n') + 4))).toEqual({
        code: 'SHUTTING_DOWN',
        message: 'server is shutting down',
        server_id: 'closing',
      });
      const counts = (await rejected.get()).values.map((v) => [v.labels.code, v.value]);
      expect(Object.fromEntries(counts)).toEqual({ QUEUE_FULL: 0, SHUTTING_DOWN: 1 });
    } finally {
      socket.destroy();
    }
  });
});
