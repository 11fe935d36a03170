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
import { createExecutors, type Executors, type LagMonitor } from '../src/model/executors.js';
import type { CostModel } from '../src/model/cost.js';
import { createWorkerPool, type WorkerPool } from '../src/model/pool.js';
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

  it.each([0, 'auto'] as const)('WORKERS=%s serves /predict with the expected labels, with no worker thread', async (workers) => {
    app = await buildApp({ config: testConfig({ workers }) });
    await app.ready();
    await app.whenReady();
    expect(app.inference.backend.size).toBe(workers === 0 ? 1 : 1 + Math.max(1, availableParallelism() - 1));
    const res = await app.inject({ method: 'POST', url: '/predict', payload: { texts: [...WARMUP.texts] } });
    expect(res.statusCode).toBe(200);
    expect(res.json().predictions.map((p: { label: string }) => p.label)).toEqual([...WARMUP.expectedLabels]);
    // the reference model's batches are all short: auto never had a reason to start a worker
    expect((app.inference.backend as Executors).workers).toEqual({ running: 0, starting: 0 });
  });
});

describe('workers spawned on demand (WORKERS=auto)', () => {
  const spawner = () => {
    const spawned: WorkerPool[] = [];
    const spawn = async () => {
      const pool = await createWorkerPool({ modelPath: defaultModelPath, workers: 1, intraOpThreads: 1 });
      spawned.push(pool);
      return pool;
    };
    return { spawned, spawn };
  };
  const capacity = (executors: Executors) => new Promise<void>((resolve) => executors.onCapacity?.(resolve));

  it('starts no worker while batches run inline; the first long batch waits for one, which warms up first', async () => {
    const where: string[] = [];
    const { spawned, spawn } = spawner();
    const checked: number[] = [];
    const executors = createExecutors({
      inline: await openSession(defaultModelPath, { intraOpThreads: 1 }),
      spawn,
      maxSpawned: 1,
      cost: perCell(10),
      lag: quiet,
      onRun: (w) => where.push(w),
    });
    try {
      const job = { kind: 'text' as const, texts: [...WARMUP.texts] };
      expect(await executors.runOnAll(job, (r) => void checked.push(r.outputs.probabilities?.dims[0] ?? 0))).toHaveLength(1);
      expect(executors.admit?.(10)).toBe(true);
      await executors.run(job, 10);
      expect(spawned).toHaveLength(0);
      expect(executors.workers).toEqual({ running: 0, starting: 0 });

      const up = capacity(executors);
      expect(executors.admit?.(2000)).toBe(false); // 20 ms, past spawnMinUs: waits for the worker it asked for
      expect(executors.workers).toEqual({ running: 0, starting: 1 });
      expect(executors.admit?.(2000)).toBe(false); // one spawn at a time
      await up;
      expect(spawned).toHaveLength(1);
      expect(checked).toEqual([2, 2]); // the warm-up check ran on the inline session, then on the new worker
      expect(executors.workers).toEqual({ running: 1, starting: 0 });
      expect(executors.admit?.(2000)).toBe(true);
      await executors.run(job, 2000);
      expect(where).toEqual(['inline', 'worker']);
    } finally {
      await executors.close();
    }
  });

  it('runs inline and spawns no more when a spawned worker fails its warm-up', async () => {
    const { spawned, spawn } = spawner();
    const errors: unknown[] = [];
    let calls = 0;
    const executors = createExecutors({
      inline: await openSession(defaultModelPath, { intraOpThreads: 1 }),
      spawn,
      maxSpawned: 2,
      onSpawnError: (error) => errors.push(error),
      cost: perCell(10),
      lag: quiet,
    });
    try {
      const verify = () => {
        calls += 1;
        if (calls > 1) throw Object.assign(new Error('wrong warm-up output'), { code: 'WARMUP_FAILED' });
      };
      await executors.runOnAll({ kind: 'text', texts: [...WARMUP.texts] }, verify);
      const settled = capacity(executors);
      expect(executors.admit?.(2000)).toBe(false);
      await settled;
      expect(errors).toEqual([expect.objectContaining({ code: 'WARMUP_FAILED' })]);
      expect(executors.workers).toEqual({ running: 0, starting: 0 });
      expect(executors.admit?.(2000)).toBe(true); // no worker will come: inline
      expect(spawned).toHaveLength(1);
    } finally {
      await executors.close();
    }
  });
});
