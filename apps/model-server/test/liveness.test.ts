/**
 * Liveness is never behind inference: while a worker is blocked inside an inference job (a
 * fixture worker that holds its thread until the test releases it), the event loop answers
 * /health/live and /metrics. If the job ran on the event loop instead, nothing would answer
 * until the fixture gave up on its own, which the test sees (`timedOut`) and fails on.
 */
import type { FastifyInstance } from 'fastify';
import { request } from 'undici';
import { afterEach, describe, expect, it } from 'vitest';
import { defaultModelPath } from '@fleet/model';
import { buildApp } from '../src/app.js';
import { createExecutors, type Executors } from '../src/model/executors.js';
import { openSession } from '../src/model/session.js';
import { listen, testConfig, waitFor } from './helpers.js';
import { startWorkerFixture, type WorkerFixture } from './worker-fixture.js';

let app: FastifyInstance | undefined;
let fixture: WorkerFixture | undefined;

afterEach(async () => {
  await fixture?.release();
  await app?.close();
  await fixture?.dispose();
  app = undefined;
  fixture = undefined;
});

async function get(url: string): Promise<{ status: number; body: string }> {
  const res = await request(url);
  return { status: res.statusCode, body: await res.body.text() };
}

describe('liveness while inference is blocked', () => {
  it('answers /health/live and /metrics while every worker is inside a job, then finishes the job', async () => {
    fixture = await startWorkerFixture({ workers: 1, gate: true });
    app = await buildApp({ config: testConfig({ serverId: 'live', batching: { maxQueueDelayMs: 0 } }), backend: fixture.pool });
    const base = await listen(app);
    await app.whenReady();

    const predict = request(`${base}/predict`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ text: 'held by the worker' }),
    });
    const queued = request(`${base}/predict`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ text: 'waits for the worker' }),
    });
    await waitFor(async () => ((await fixture?.blocked())?.length === 1 ? true : undefined), { what: 'a worker blocked in a job' });

    const live = await get(`${base}/health/live`);
    const metrics = await get(`${base}/metrics`);
    expect(fixture.timedOut(), 'the probes were answered only after the job gave up: inference ran on the event loop').toBe(false);
    expect(live).toMatchObject({ status: 200, body: expect.stringContaining('"status":"live"') });
    expect(metrics.status).toBe(200);
    expect(metrics.body).toMatch(/^model_server_batches_in_flight 1$/m);
    expect(metrics.body).toMatch(/^model_server_queue_depth 1$/m);

    await fixture.release();
    const answers = await Promise.all(
      [predict, queued].map(async (pending) => {
        const res = await pending;
        await res.body.dump();
        return res.statusCode;
      }),
    );
    expect(answers).toEqual([200, 200]);
    expect(fixture.timedOut()).toBe(false);
  });

  it('WORKERS=auto: a heavy model spawns a worker on its first long batch, which warms up, then serves while /health/live answers', async () => {
    fixture = await startWorkerFixture({ workers: 1, gate: true });
    let spawned = 0;
    const executors: Executors = createExecutors({
      inline: await openSession(defaultModelPath, { intraOpThreads: 1 }),
      spawn: () => ((spawned += 1), (fixture as WorkerFixture).spawnOne()),
      maxSpawned: 1,
      // a heavy model: every batch estimated far past the bounds
      cost: { estimateUs: (cells) => cells * 1_000_000, cellsWithin: () => 1, observe: () => undefined, samples: 1 },
      lag: { lagMs: 0, close: () => undefined },
    });
    app = await buildApp({ config: testConfig({ serverId: 'live', batching: { maxQueueDelayMs: 0 } }), backend: executors });
    const base = await listen(app);
    await app.whenReady();
    expect(spawned).toBe(0);
    expect(executors.workers).toEqual({ running: 0, starting: 0 });

    const predict = request(`${base}/predict`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ text: 'held by the spawned worker' }),
    });
    await waitFor(async () => ((await fixture?.blocked())?.length === 1 ? true : undefined), { what: 'the spawned worker blocked in a job' });
    const live = await get(`${base}/health/live`);
    expect(fixture.timedOut(), 'the probe was answered only after the job gave up: inference ran on the event loop').toBe(false);
    expect(live).toMatchObject({ status: 200, body: expect.stringContaining('"status":"live"') });
    expect(spawned).toBe(1);

    await fixture.release();
    const res = await predict;
    await res.body.dump();
    expect(res.statusCode).toBe(200);
    // the up-front fixture pool never ran anything; the spawned worker warmed up before serving
    const jobs = [...(await fixture.jobs()).values()];
    expect(jobs).toEqual([['warmup', 'request']]);
  });
});
