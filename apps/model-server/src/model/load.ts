/**
 * Resolves the model file and starts the executors on it (fails fast on a missing file): the
 * main thread's inline session and the workers (WORKERS: `auto` = none until the policy needs
 * one, then up to one per core but the main thread's; N = N started with the session; 0 = none).
 */
import { availableParallelism } from 'node:os';
import { defaultModelPath } from '@fleet/model';
import type { AppConfig } from '../config.js';
import { STARTUP_ERROR_CODES } from '../errors.js';
import { assertModelFile } from './graph.js';
import { createExecutors, type Executors } from './executors.js';
import { createWorkerPool, type PoolOptions } from './pool.js';
import { openSession } from './session.js';

/** Logs a worker's death (or a replacement that could not start) through `log`. */
export function logWorkerExit(log: () => { error(obj: object, msg: string): void } | undefined): NonNullable<PoolOptions['onWorkerExit']> {
  return ({ index, exitCode, error }) => {
    if (index === -1) {
      // a worker spawned on demand (WORKERS=auto) that did not start or failed its warm-up
      log()?.error({ code: STARTUP_ERROR_CODES.WORKER_FAILED, err: error }, 'inference worker failed to start; no more are spawned');
      return;
    }
    const message = exitCode === -1 ? 'replacement inference worker failed to start' : 'inference worker exited; replacing it';
    log()?.error({ worker: index, exitCode, err: error }, message);
  };
}

export function resolveModelPath(config: Pick<AppConfig, 'modelPath'>): string {
  return config.modelPath ?? defaultModelPath;
}

/**
 * WORKERS=auto: workers are spawned only when the policy first sends a batch off the main thread
 * (a heavy model), at most one per core but the main thread's; a light model never starts one.
 */
export function lazyWorkers(cores = availableParallelism()): number {
  return Math.max(1, cores - 1);
}

export async function loadModel(
  config: Pick<AppConfig, 'modelPath' | 'workers' | 'intraOpThreads'>,
  onWorkerExit?: PoolOptions['onWorkerExit'],
  /** Told when WORKERS=auto starts a worker on demand. */
  onSpawn?: () => void,
): Promise<Executors> {
  const modelPath = resolveModelPath(config);
  await assertModelFile(modelPath);
  const exits = onWorkerExit ? { onWorkerExit } : {};
  const eager = config.workers === 'auto' ? 0 : config.workers;
  const pool = eager === 0 ? undefined : createWorkerPool({ modelPath, workers: eager, intraOpThreads: config.intraOpThreads, ...exits });
  // one intra-op thread: the inline executor runs small batches on this thread only
  const [inline, started] = await Promise.allSettled([openSession(modelPath, { intraOpThreads: 1 }), pool]);
  if (inline.status === 'rejected' || started.status === 'rejected') {
    if (inline.status === 'fulfilled') await inline.value.release();
    if (started.status === 'fulfilled') await started.value?.close();
    throw inline.status === 'rejected' ? inline.reason : (started as PromiseRejectedResult).reason;
  }
  if (config.workers !== 'auto') return createExecutors({ inline: inline.value, ...(started.value ? { pool: started.value } : {}) });
  // one intra-op thread per worker (an intra-op pool spins between runs), unless configured
  const intraOpThreads = config.intraOpThreads > 0 ? config.intraOpThreads : 1;
  return createExecutors({
    inline: inline.value,
    spawn: () => {
      onSpawn?.();
      return createWorkerPool({ modelPath, workers: 1, intraOpThreads, ...exits });
    },
    maxSpawned: lazyWorkers(),
    onSpawnError: (error) => onWorkerExit?.({ index: -1, exitCode: -1, error: error instanceof Error ? error : new Error(String(error)) }),
  });
}
