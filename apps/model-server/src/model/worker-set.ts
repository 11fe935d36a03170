/**
 * The worker threads behind the executors: a pool started up front (WORKERS=N, tests) and/or
 * workers spawned one at a time when the executor policy first asks for one (WORKERS=auto), so
 * a replica whose batches all run inline never pays for a worker's isolate and session.
 *
 * A spawned worker serves only after it ran the warm-up job of `runOnAll` (the one that gated
 * readiness) and its output passed the same check. A spawn that fails (start or warm-up) is
 * reported and stops further spawns: the policy then sees no room for more workers (with none
 * running, every batch runs inline). Capacity listeners hear when a worker is up or a spawn
 * failed, so a batch left waiting for it is dispatched.
 */
import { ERROR_CODES, ServerError } from '../errors.js';
import type { Job, JobResult } from './jobs.js';
import type { WorkerPool } from './pool.js';

export interface WorkerSetOptions {
  /** Workers started up front. */
  pool?: WorkerPool;
  /** Starts one more worker (a pool of one); called when the policy asks for one. */
  spawn?: () => Promise<WorkerPool>;
  /** Most workers `spawn` may add (default 0). */
  maxSpawned?: number;
  /** Told when a spawned worker could not start or failed its warm-up. */
  onSpawnError?: (error: unknown) => void;
}

export interface WorkerSet {
  /** Workers up and serving. */
  readonly running: number;
  /** Workers being spawned. */
  readonly starting: number;
  /** Most workers there can be (lowered after a failed spawn). */
  readonly max: number;
  /** Workers up and not running a job. */
  readonly idle: number;
  /** Spawns one more worker unless running + starting reached `max`. */
  start(): void;
  /** Runs a job on a free worker (the least loaded one when none is free). */
  run(job: Job): Promise<JobResult>;
  /** Runs a job on every worker up; it and `verify` also warm up every worker spawned later. */
  runOnAll(job: Job, verify?: (result: JobResult) => void): Promise<JobResult[]>;
  onCapacity(listener: () => void): void;
  close(): Promise<void>;
}

interface Entry {
  pool: WorkerPool;
  busy: number;
}

export function createWorkerSet(options: WorkerSetOptions): WorkerSet {
  const entries: Entry[] = options.pool ? [{ pool: options.pool, busy: 0 }] : [];
  const spawning = new Set<Promise<void>>();
  const listeners: (() => void)[] = [];
  let maxSpawned = options.spawn ? (options.maxSpawned ?? 0) : 0;
  let spawned = 0;
  let warm: { job: Job; verify?: (result: JobResult) => void } | undefined;
  let closed = false;
  const running = () => entries.reduce((n, e) => n + e.pool.size, 0);
  const notify = () => listeners.forEach((listener) => listener());

  const spawnOne = async (): Promise<void> => {
    let pool: WorkerPool | undefined;
    try {
      pool = await (options.spawn as () => Promise<WorkerPool>)();
      if (warm && !closed) for (const result of await pool.runOnAll(warm.job)) warm.verify?.(result);
      if (closed) await pool.close();
      else entries.push({ pool, busy: 0 });
    } catch (error) {
      maxSpawned = spawned - 1;
      await pool?.close();
      if (!closed) options.onSpawnError?.(error);
    }
  };

  return {
    get running() {
      return running();
    },
    get starting() {
      return spawning.size;
    },
    get max() {
      return (options.pool?.size ?? 0) + maxSpawned;
    },
    get idle() {
      return entries.reduce((n, e) => n + e.pool.size - Math.min(e.busy, e.pool.size), 0);
    },
    start() {
      if (closed || spawned >= maxSpawned) return;
      spawned += 1;
      const pending = spawnOne().finally(() => {
        spawning.delete(pending);
        if (!closed) notify();
      });
      spawning.add(pending);
    },
    async run(job) {
      if (entries.length === 0) throw new ServerError(ERROR_CODES.INFERENCE_FAILED, 'no inference worker is running');
      const entry = entries.find((e) => e.busy < e.pool.size) ?? entries.reduce((a, b) => (b.busy < a.busy ? b : a));
      entry.busy += 1;
      try {
        return await entry.pool.run(job);
      } finally {
        entry.busy -= 1;
      }
    },
    async runOnAll(job, verify) {
      warm = verify ? { job, verify } : { job };
      return (await Promise.all(entries.map((e) => e.pool.runOnAll(job)))).flat();
    },
    onCapacity(listener) {
      listeners.push(listener);
    },
    async close() {
      closed = true;
      await Promise.all(spawning);
      await Promise.all(entries.map((e) => e.pool.close()));
    },
  };
}
