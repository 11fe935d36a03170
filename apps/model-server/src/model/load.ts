/** Resolves the model file and starts the worker pool on it (fails fast on a missing file). */
import { defaultModelPath } from '@fleet/model';
import type { AppConfig } from '../config.js';
import { assertModelFile } from './graph.js';
import { createWorkerPool, type PoolOptions, type WorkerPool } from './pool.js';

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
