/**
 * Resolves the model file and starts the executors on it (fails fast on a missing file): the
 * main thread's inline session and the worker pool (WORKERS: `auto` = one worker per core, N =
 * N, 0 = none), loaded at the same time.
 */
import { availableParallelism } from 'node:os';
import { defaultModelPath } from '@fleet/model';
import type { AppConfig } from '../config.js';
import { assertModelFile } from './graph.js';
import { createExecutors, type Executors } from './executors.js';
import { createWorkerPool, type PoolOptions } from './pool.js';
import { openSession } from './session.js';

/** Logs a worker's death (or a replacement that could not start) through `log`. */
export function logWorkerExit(log: () => { error(obj: object, msg: string): void } | undefined): NonNullable<PoolOptions['onWorkerExit']> {
  return ({ index, exitCode, error }) => {
    const message = exitCode === -1 ? 'replacement inference worker failed to start' : 'inference worker exited; replacing it';
    log()?.error({ worker: index, exitCode, err: error }, message);
  };
}

export function resolveModelPath(config: Pick<AppConfig, 'modelPath'>): string {
  return config.modelPath ?? defaultModelPath;
}

export async function loadModel(
  config: Pick<AppConfig, 'modelPath' | 'workers' | 'intraOpThreads'>,
  onWorkerExit?: PoolOptions['onWorkerExit'],
): Promise<Executors> {
  const modelPath = resolveModelPath(config);
  await assertModelFile(modelPath);
  // auto: one worker per core, one intra-op thread each (an intra-op pool spins between runs)
  const workers = config.workers === 'auto' ? availableParallelism() : config.workers;
  const pool =
    workers === 0
      ? undefined
      : createWorkerPool({ modelPath, workers, intraOpThreads: config.intraOpThreads, ...(onWorkerExit ? { onWorkerExit } : {}) });
  // one intra-op thread: the inline executor runs small batches on this thread only
  const [inline, started] = await Promise.allSettled([openSession(modelPath, { intraOpThreads: 1 }), pool]);
  if (inline.status === 'rejected' || started.status === 'rejected') {
    if (inline.status === 'fulfilled') await inline.value.release();
    if (started.status === 'fulfilled') await started.value?.close();
    throw inline.status === 'rejected' ? inline.reason : (started as PromiseRejectedResult).reason;
  }
  return createExecutors({ inline: inline.value, ...(started.value ? { pool: started.value } : {}) });
}
