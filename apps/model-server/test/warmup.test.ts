/**
 * The warm-up inference gates readiness on every worker, not just one: each worker that serves
 * a request ran the warm-up first, and one worker whose warm-up output is wrong keeps the
 * replica from becoming ready. Real worker threads (test/fixtures/gated-worker.mjs).
 */
import type { FastifyInstance } from 'fastify';
import { request } from 'undici';
import { afterEach, describe, expect, it } from 'vitest';
import { buildApp } from '../src/app.js';
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

const config = testConfig({ serverId: 'warm', workers: 2, batching: { maxBatchSize: 1, maxQueueDelayMs: 0 } });

describe('warm-up on every worker', () => {
  it('every worker that serves requests ran the warm-up inference before its first request', async () => {
    fixture = await startWorkerFixture({ workers: 2, gate: true });
    app = await buildApp({ config, backend: fixture.pool });
    const base = await listen(app);
    await app.whenReady();

    // Two requests while the first one holds its worker: the second must go to another worker.
    const predicts = ['first', 'second'].map((text) =>
      request(`${base}/predict`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ text }) }),
    );
    await waitFor(async () => ((await fixture?.blocked())?.length === 2 ? true : undefined), { what: 'two workers busy' });
    await fixture.release();
    for (const pending of predicts) {
      const res = await pending;
      expect(res.statusCode).toBe(200);
      await res.body.dump();
    }

    const jobs = await fixture.jobs();
    const serving = [...jobs.entries()].filter(([, kinds]) => kinds.includes('request'));
    expect(serving).toHaveLength(2);
    for (const [worker, kinds] of serving) expect(kinds[0], `first job of worker ${worker}: ${kinds.join(', ')}`).toBe('warmup');
  });

  it('stays "failed" (never ready) when one worker of several returns a wrong warm-up output', async () => {
    fixture = await startWorkerFixture({ workers: 2, badWarmup: 'last' });
    app = await buildApp({ config, backend: fixture.pool });
    await app.ready();
    await expect(app.whenReady()).rejects.toMatchObject({ code: 'WARMUP_FAILED' });
    const res = await app.inject({ method: 'GET', url: '/health/ready' });
    expect(res.statusCode).toBe(503);
    expect(res.json()).toMatchObject({ status: 'failed' });
  });
});
