/**
 * The executors behind the batcher: the main thread's own onnxruntime session (inline) and the
 * worker pool, with the policy (policy.ts) choosing per batch from what batches cost so far
 * (cost.ts) and how late the event loop runs. One queue decides: the batcher asks `admit`
 * right before it dispatches, so a batch that must wait for a worker stays in the batcher's
 * queue (the pool's own per-worker queues stay empty).
 *
 * Without an inline session everything goes to the workers; without workers (WORKERS=0)
 * everything runs inline.
 */
import type ort from 'onnxruntime-node';
import { ERROR_CODES, ServerError } from '../errors.js';
import { createCostModel, type CostModel } from './cost.js';
import type { GraphInfo } from './graph.js';
import type { InferenceBackend, Job, JobResult } from './jobs.js';
import { decide, DEFAULT_POLICY_LIMITS, type Decision, type ExecutorState, type PolicyLimits } from './policy.js';
import type { WorkerPool } from './pool.js';
import { describeGraph, runJob } from './session.js';

export interface LagMonitor {
  /** How late (ms) the last tick of a periodic timer ran. */
  readonly lagMs: number;
  close(): void;
}

/** Event-loop lag from a periodic unref'd timer's drift. */
export function monitorLag(intervalMs = 20, now: () => number = () => performance.now()): LagMonitor {
  let expected = now() + intervalMs;
  let lagMs = 0;
  const timer = setInterval(() => {
    const t = now();
    lagMs = Math.max(0, t - expected);
    expected = t + intervalMs;
  }, intervalMs);
  timer.unref();
  return {
    get lagMs() {
      return lagMs;
    },
    close: () => clearInterval(timer),
  };
}

export interface ExecutorsOptions {
  /** The main thread's session, or none (every batch goes to a worker). */
  inline?: ort.InferenceSession;
  /** Worker threads, or none (WORKERS=0: every batch runs inline). */
  pool?: WorkerPool;
  limits?: PolicyLimits;
  cost?: CostModel;
  lag?: LagMonitor;
  /** Told where each batch ran (tests, metrics). */
  onRun?: (where: 'inline' | 'worker', cells: number) => void;
}

export interface Executors extends InferenceBackend {
  readonly sizing: { inline: boolean; workers: number; intraOpThreads: number };
}

export function createExecutors(options: ExecutorsOptions): Executors {
  const { inline, pool } = options;
  if (inline === undefined && pool === undefined) throw new RangeError('executors need an inline session or a worker pool');
  const limits = options.limits ?? DEFAULT_POLICY_LIMITS;
  const cost = options.cost ?? createCostModel();
  const lag = options.lag ?? monitorLag();
  const graph: GraphInfo = pool?.graph ?? describeGraph(inline as ort.InferenceSession);
  const workers = pool?.size ?? 0;
  let inlineBusy = false;
  let workersBusy = 0;
  /** The decision `admit` made for the batch dispatched right after it. */
  let admitted: Decision | undefined;

  const state = (): ExecutorState => ({
    inline: inline === undefined ? 'none' : inlineBusy ? 'busy' : 'idle',
    idleWorkers: workers - workersBusy,
    workers,
    maxWorkers: workers,
  });
  const choose = (cells: number): Decision => decide(cost.estimateUs(cells), lag.lagMs, state(), limits);

  const runInline = async (job: Job, cells: number): Promise<JobResult> => {
    inlineBusy = true;
    try {
      const result = await runJob(inline as ort.InferenceSession, job);
      cost.observe(cells, result.inferenceMs * 1000);
      return result;
    } catch (error) {
      throw new ServerError(ERROR_CODES.INFERENCE_FAILED, `inference failed: ${error instanceof Error ? error.message : String(error)}`);
    } finally {
      inlineBusy = false;
    }
  };
  const runWorker = async (job: Job, cells: number): Promise<JobResult> => {
    workersBusy += 1;
    try {
      const result = await (pool as WorkerPool).run(job);
      cost.observe(cells, result.inferenceMs * 1000);
      return result;
    } finally {
      workersBusy -= 1;
    }
  };

  return {
    graph,
    size: (inline ? 1 : 0) + workers,
    sizing: { inline: inline !== undefined, workers, intraOpThreads: pool?.sizing.intraOpThreads ?? 1 },
    admit(cells) {
      admitted = choose(cells);
      return admitted.run !== 'wait';
    },
    run(job, cells = 1) {
      const decision = admitted ?? choose(cells);
      admitted = undefined;
      // run without admit (warm-up, direct callers): any free executor, a worker rather than wait
      const where = decision.run !== 'wait' ? decision.run : workers > 0 ? 'worker' : 'inline';
      options.onRun?.(where, cells);
      return where === 'inline' ? runInline(job, cells) : runWorker(job, cells);
    },
    async runOnAll(job) {
      const results = pool ? await pool.runOnAll(job) : [];
      return inline ? [await runJob(inline, job), ...results] : results;
    },
    async close() {
      lag.close();
      await pool?.close();
      await inline?.release();
    },
  };
}
