/**
 * The executors with real onnxruntime sessions: where the policy sends each batch, that a long
 * batch never runs on the event loop while the workers are busy (it waits in the batcher's
 * queue), and WORKERS=0 / auto through the whole app.
 */
import { availableParallelism } from 'node:os';
import { defaultModelPath, WARMUP } from '@fleet/model';
import type { FastifyInstance } from 'fastify';
import { afterEach, describe, expect, it } from 'vitest';
import { buildApp } from '../src/app.js';
import { createExecutors, type LagMonitor } from '../src/model/executors.js';
import type { CostModel } from '../src/model/cost.js';
import { createWorkerPool } from '../src/model/pool.js';
import { openSession } from '../src/model/session.js';
import { testConfig } from './helpers.js';

const quiet: LagMonitor = { lagMs: 0, close: () => undefined };
/** A cost model that says every batch costs `us` per cell and records what was measured. */
const perCell = (us: number, seen: number[] = []): CostModel => ({
  estimateUs: (cells) => cells * us,
  cellsWithin: (limit) => Math.max(1, Math.floor(limit / us)),
  observe: (cells) => void seen.push(cells),
  samples: 0,
});

let app: FastifyInstance | undefined;
afterEach(async () => {
  await app?.close();
  app = undefined;
});

describe('executors', () => {
  it('runs a batch estimated under the bound inline, a longer one on a worker, and measures both', async () => {
    const where: string[] = [];
    const seen: number[] = [];
    const executors = createExecutors({
      inline: await openSession(defaultModelPath, { intraOpThreads: 1 }),
      pool: await createWorkerPool({ modelPath: defaultModelPath, workers: 1, intraOpThreads: 1 }),
      cost: perCell(10, seen),
      lag: quiet,
      onRun: (w) => where.push(w),
    });
    try {
      expect(executors.size).toBe(2);
      const job = { kind: 'text' as const, texts: [...WARMUP.texts] };
      expect(executors.admit?.(10)).toBe(true); // 100 µs ≤ 200 µs
      const small = await executors.run(job, 10);
      expect(executors.admit?.(1000)).toBe(true); // 10 ms: a worker
      const large = await executors.run(job, 1000);
      expect(where).toEqual(['inline', 'worker']);
      expect(seen).toEqual([10, 1000]);
      expect([...(small.outputs.probabilities?.data as Float32Array)]).toEqual([...(large.outputs.probabilities?.data as Float32Array)]);
      // warm-up reaches every executor: the inline session and each worker
      expect(await executors.runOnAll(job)).toHaveLength(2);
    } finally {
      await executors.close();
    }
  });

  it('keeps a long batch queued while the only worker is busy (admit refuses), never inline', async () => {
    const where: string[] = [];
    const executors = createExecutors({
      inline: await openSession(defaultModelPath, { intraOpThreads: 1 }),
      pool: await createWorkerPool({ modelPath: defaultModelPath, workers: 1, intraOpThreads: 1 }),
      cost: perCell(10),
      lag: quiet,
      onRun: (w) => where.push(w),
    });
    try {
      const job = { kind: 'text' as const, texts: ['a long batch'] };
      expect(executors.admit?.(1000)).toBe(true);
      const first = executors.run(job, 1000);
      expect(executors.admit?.(1000)).toBe(false);
      expect(executors.admit?.(5)).toBe(true); // a short one may still run inline meanwhile
      await Promise.all([first, executors.run(job, 5)]);
      expect(where).toEqual(['worker', 'inline']);
      expect(executors.admit?.(1000)).toBe(true);
    } finally {
      await executors.close();
    }
  });

  it.each([0, 'auto'] as const)('WORKERS=%s serves /predict with the expected labels', async (workers) => {
    app = await buildApp({ config: testConfig({ workers }) });
    await app.ready();
    await app.whenReady();
    expect(app.inference.backend.size).toBe(workers === 0 ? 1 : 1 + availableParallelism());
    const res = await app.inject({ method: 'POST', url: '/predict', payload: { texts: [...WARMUP.texts] } });
    expect(res.statusCode).toBe(200);
    expect(res.json().predictions.map((p: { label: string }) => p.label)).toEqual([...WARMUP.expectedLabels]);
  });
});
