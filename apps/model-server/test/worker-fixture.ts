/** Drives test/fixtures/gated-worker.mjs: a real worker pool whose workers the test can block and inspect. */
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createWorkerPool, type WorkerPool } from '../src/model/pool.js';

export interface FixtureOptions {
  workers: number;
  /** Request jobs block their worker thread until release(). */
  gate?: boolean;
  /** The worker started last answers the warm-up wrongly. */
  badWarmup?: 'last';
}

export interface WorkerFixture {
  dir: string;
  pool: WorkerPool;
  /** Starts one more fixture worker as a pool of its own (a worker spawned on demand). */
  spawnOne(): Promise<WorkerPool>;
  /** Workers currently blocked in a request job. */
  blocked(): Promise<string[]>;
  release(): Promise<void>;
  /** True once a block ended without a release (the job ran where the test could not release it). */
  timedOut(): boolean;
  /** Jobs per worker thread, in order ('warmup' | 'request'). */
  jobs(): Promise<Map<string, string[]>>;
  dispose(): Promise<void>;
}

export async function startWorkerFixture(options: FixtureOptions): Promise<WorkerFixture> {
  const dir = await mkdtemp(join(tmpdir(), 'model-server-fixture-'));
  await writeFile(join(dir, 'fixture.json'), JSON.stringify({ gate: options.gate ?? false, badWarmup: options.badWarmup }));
  const spawned: WorkerPool[] = [];
  const start = (workers: number) =>
    createWorkerPool({ modelPath: dir, workers, intraOpThreads: 1, workerScript: new URL('./fixtures/gated-worker.mjs', import.meta.url) });
  const pool = await start(options.workers);
  const release = () => writeFile(join(dir, 'release'), '');
  return {
    dir,
    pool,
    async spawnOne() {
      const one = await start(1);
      spawned.push(one);
      return one;
    },
    blocked: async () => (await readdir(dir)).filter((name) => name.startsWith('blocked-')),
    release,
    timedOut: () => existsSync(join(dir, 'timed-out')),
    async jobs() {
      const text = existsSync(join(dir, 'jobs.log')) ? await readFile(join(dir, 'jobs.log'), 'utf8') : '';
      const byWorker = new Map<string, string[]>();
      for (const line of text.split('\n').filter(Boolean)) {
        const [worker = '', kind = ''] = line.split(' ');
        byWorker.set(worker, [...(byWorker.get(worker) ?? []), kind]);
      }
      return byWorker;
    },
    async dispose() {
      await release();
      await Promise.all([pool, ...spawned].map((p) => p.close()));
      await rm(dir, { recursive: true, force: true });
    },
  };
}
