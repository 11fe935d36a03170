/**
 * Inference runs on worker threads: while every worker is busy with long texts, the event loop
 * still answers /health/live and /metrics.
 */
import type { FastifyInstance } from 'fastify';
import { request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../src/app.js';
import { listen, testConfig, waitFor } from './helpers.js';

let app: FastifyInstance;
let base: string;

beforeAll(async () => {
  app = await buildApp({ config: testConfig({ workers: 1, batching: { maxBatchSize: 64, maxQueueDelayMs: 2, maxQueueSize: 1024 } }) });
  base = await listen(app);
  await app.whenReady();
});

afterAll(async () => {
  await app.close();
});

const LONG_TEXT = Array.from({ length: 300 }, (_, i) => `word${i} invoice meeting offer`).join(' ');

function heavyRequest(): Promise<number> {
  return request(`${base}/predict`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ texts: Array.from({ length: 24 }, (_, i) => `${i} ${LONG_TEXT}`) }),
  }).then(async (res) => {
    await res.body.dump();
    return res.statusCode;
  });
}

/** Keeps `concurrency` heavy requests outstanding until stopped, so the worker never idles. */
function sustainLoad(concurrency: number) {
  let stopped = false;
  const statuses: number[] = [];
  const loops = Array.from({ length: concurrency }, async () => {
    while (!stopped) statuses.push(await heavyRequest());
  });
  return {
    statuses,
    stop: async () => {
      stopped = true;
      await Promise.all(loops);
    },
  };
}

describe('liveness under load', () => {
  it('answers /health/live and /metrics while inference saturates the workers', async () => {
    const load = sustainLoad(8);
    await waitFor(() => (app.inference.batchesInFlight > 0 && app.inference.queueDepth > 0 ? true : undefined), {
      what: 'a busy worker and a backlog',
    });

    const probes: { status: number; busy: boolean }[] = [];
    for (let i = 0; i < 5; i += 1) {
      const res = await request(`${base}/health/live`);
      await res.body.dump();
      probes.push({ status: res.statusCode, busy: app.inference.batchesInFlight > 0 });
    }
    const metrics = await request(`${base}/metrics`);
    const text = await metrics.body.text();
    await load.stop();

    expect(probes).toEqual(probes.map(() => ({ status: 200, busy: true })));
    expect(metrics.statusCode).toBe(200);
    expect(text).toMatch(/^model_server_batches_in_flight 1$/m);
    expect(load.statuses.length).toBeGreaterThan(0);
    expect(new Set(load.statuses)).toEqual(new Set([200]));
  });
});
