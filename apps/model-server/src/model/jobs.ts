/** What the main thread asks a worker to do, and the messages going back and forth. */
import type { GraphInfo } from './graph.js';
import type { WireTensor } from './tensors.js';

export type Job =
  /** Texts for the reference model: the worker featurizes (padding to this batch) and runs. */
  | { kind: 'text'; texts: string[] }
  /** Ready-made feeds for any graph; `fetches` limits the outputs. */
  | { kind: 'tensors'; feeds: Record<string, WireTensor>; fetches?: string[] };

export interface JobResult {
  outputs: Record<string, WireTensor>;
  /** Time spent inside session.run (plus featurization for text jobs), in ms; not the wait for the run to start (session.ts runJob). */
  inferenceMs: number;
}

export interface WorkerInit {
  modelPath: string;
  intraOpThreads: number;
}

export type ToWorker = { type: 'run'; id: number; job: Job } | { type: 'close' };

export type FromWorker =
  | { type: 'ready'; graph: GraphInfo }
  | { type: 'init-error'; code: string; message: string }
  | { type: 'result'; id: number; result: JobResult }
  | { type: 'error'; id: number; message: string }
  | { type: 'closed' };

/** The inference engine behind the batcher: executors.ts in production, a bare pool or a fake in some tests. */
export interface InferenceBackend {
  /** How many jobs can run at once (one per worker, plus the main thread's inline executor). */
  readonly size: number;
  readonly graph: GraphInfo;
  /**
   * Whether a batch of about `cells` padded cells can start now (the executor policy); absent =
   * whenever fewer than `size` jobs run. The batcher asks right before it dispatches.
   */
  admit?(cells: number): boolean;
  /** Runs a job; `cells` = its padded cells (the executor policy's unit of cost). */
  run(job: Job, cells?: number): Promise<JobResult>;
  /**
   * Runs the same job on every executor (warm-up); `verify` (throws when a result is wrong) also
   * checks the results, here and on every worker started later, before it serves. `cells` (the
   * job's padded cells) lets the backend calibrate its cost model on the warm-up.
   */
  runOnAll(job: Job, verify?: (result: JobResult) => void, cells?: number): Promise<JobResult[]>;
  /** Calls `listener` when an executor became available or will not come (a batch may wait for it). */
  onCapacity?(listener: () => void): void;
  close(): Promise<void>;
}
