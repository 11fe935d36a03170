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

async function completedBatches(): Promise<number> {
  const { values } = await app.metrics.batchSize.get();
  return values.find((v) => v.metricName === 'model_server_batch_size_count')?.value ?? 0;
}

describe('liveness under load', () => {
  it('answers /health/live and /metrics while inference saturates the workers', async () => {
    const load = sustainLoad(8);
    await waitFor(() => (app.inference.batchesInFlight > 0 && app.inference.queueDepth > 0 ? true : undefined), {
      what: 'a busy worker and a backlog',
    });

    // Probe until several batches completed in the meantime: the event loop answered every
    // probe while the worker kept running inference.
    const before = await completedBatches();
    const answers: number[] = [];
    await waitFor(
      async () => {
        for (const path of ['/health/live', '/metrics']) {
          const res = await request(base + path);
          await res.body.dump();
          answers.push(res.statusCode);
        }
        return (await completedBatches()) >= before + 3 ? true : undefined;
      },
      { what: 'batches completing while probing', intervalMs: 1 },
    );
    await load.stop();

    expect(answers.length).toBeGreaterThanOrEqual(2);
    expect(new Set(answers)).toEqual(new Set([200]));
    expect(load.statuses.length).toBeGreaterThan(0);
    expect(new Set(load.statuses)).toEqual(new Set([200]));
  });
});
