/** Resolves the model file and starts the worker pool on it (fails fast on a missing file). */
import { defaultModelPath } from '@fleet/model';
import type { AppConfig } from '../config.js';
import { assertModelFile } from './graph.js';
import { createWorkerPool, type PoolOptions, type WorkerPool } from './pool.js';

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
): Promise<WorkerPool> {
  const modelPath = resolveModelPath(config);
  await assertModelFile(modelPath);
  return createWorkerPool({
    modelPath,
    workers: config.workers,
    intraOpThreads: config.intraOpThreads,
    ...(onWorkerExit ? { onWorkerExit } : {}),
  });
}
