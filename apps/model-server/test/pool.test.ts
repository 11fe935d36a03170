/** The worker pool survives a worker that dies: its jobs fail, a new worker takes its place. */
import { describe, expect, it } from 'vitest';
import { createWorkerPool } from '../src/model/pool.js';
import type { Job } from '../src/model/jobs.js';
import { waitFor } from './helpers.js';

const job = (value: number): Job => ({
  kind: 'tensors',
  feeds: { x: { type: 'float32', data: Float32Array.from([value]), dims: [1, 1] } },
});

describe('worker pool', () => {
  it('fails the jobs of a crashed worker, replaces it and keeps serving', async () => {
    const exits: { index: number; exitCode: number }[] = [];
    const pool = await createWorkerPool({
      modelPath: 'unused.onnx',
      workers: 1,
      intraOpThreads: 1,
      workerScript: new URL('./fixtures/echo-worker.mjs', import.meta.url),
      onWorkerExit: (info) => exits.push(info),
    });
    try {
      expect(pool.graph.inputs[0]?.name).toBe('x');
      const ok = await pool.run(job(3));
      expect(Array.from(ok.outputs.y?.data as Float32Array)).toEqual([3]);

      await expect(pool.run(job(-1))).rejects.toMatchObject({
        code: 'INFERENCE_FAILED',
        message: 'inference worker exited with code 7',
      });
      expect(exits).toEqual([{ index: 0, exitCode: 7 }]);

      const recovered = await waitFor(
        () => pool.run(job(5)).then((r) => r, (error: { code?: string }) => (error.code === 'INFERENCE_FAILED' ? undefined : Promise.reject(error))),
        { what: 'a replacement worker' },
      );
      expect(Array.from(recovered.outputs.y?.data as Float32Array)).toEqual([5]);
    } finally {
      await pool.close();
    }
    await expect(pool.run(job(1))).rejects.toMatchObject({ code: 'SHUTTING_DOWN' });
  });
});
