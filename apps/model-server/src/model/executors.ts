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
import { createWorkerSet, type WorkerSetOptions } from './worker-set.js';

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

/** Rows of the warm-up texts repeated for the cost model's second calibration point. */
const CALIBRATION_ROWS = 8;

export interface ExecutorsOptions {
  /** The main thread's session, or none (every batch goes to a worker). */
  inline?: ort.InferenceSession;
  /** Worker threads started up front (WORKERS=N), or none. */
  pool?: WorkerPool;
  /** Starts one more worker when the policy first needs one (WORKERS=auto: none until then). */
  spawn?: WorkerSetOptions['spawn'];
  /** Most workers `spawn` may start. */
  maxSpawned?: number;
  onSpawnError?: WorkerSetOptions['onSpawnError'];
  /** The graph, when no session is there to describe it (a worker-only, lazily started backend). */
  graph?: GraphInfo;
  limits?: PolicyLimits;
  cost?: CostModel;
  lag?: LagMonitor;
  /** Told where each batch ran (tests, metrics). */
  onRun?: (where: 'inline' | 'worker', cells: number) => void;
}

export interface Executors extends InferenceBackend {
  readonly sizing: { inline: boolean; workers: number; lazy: boolean; intraOpThreads: number };
  /** Worker threads up and serving (spawned ones included), and being spawned. */
  readonly workers: { running: number; starting: number };
}

export function createExecutors(options: ExecutorsOptions): Executors {
  const { inline, pool } = options;
  const lazy = options.spawn !== undefined && (options.maxSpawned ?? 0) > 0;
  if (inline === undefined && pool === undefined && !lazy) throw new RangeError('executors need an inline session or workers');
  const limits = options.limits ?? DEFAULT_POLICY_LIMITS;
  const cost = options.cost ?? createCostModel();
  const lag = options.lag ?? monitorLag();
  const graph: GraphInfo = options.graph ?? pool?.graph ?? describeGraph(inline as ort.InferenceSession);
  const set = createWorkerSet({
    ...(pool ? { pool } : {}),
    ...(lazy ? { spawn: options.spawn, maxSpawned: options.maxSpawned } : {}),
    ...(options.onSpawnError ? { onSpawnError: options.onSpawnError } : {}),
  } as WorkerSetOptions);
  let inlineBusy = false;
  /** The decision `admit` made for the batch dispatched right after it. */
  let admitted: Decision | undefined;

  const state = (): ExecutorState => ({
    inline: inline === undefined ? 'none' : inlineBusy ? 'busy' : 'idle',
    idleWorkers: set.idle,
    workers: set.running + set.starting,
    maxWorkers: set.max,
  });
  const choose = (cells: number): Decision => {
    const decision = decide(cost.estimateUs(cells), lag.lagMs, state(), limits);
    if (decision.start) set.start();
    return decision;
  };

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
    const result = await set.run(job);
    cost.observe(cells, result.inferenceMs * 1000);
    return result;
  };

  /**
   * The warm-up on the main thread's session, run again when its cells are known: the first run
   * is cold (allocations, JIT); the second one's time, and for texts that of the same texts ×
   * CALIBRATION_ROWS (a second size, for a slope), seed the cost model, so the first requests
   * are not taken for long batches for want of a measurement (no worker is started for them).
   */
  const warmInline = async (job: Job, cells: number | undefined): Promise<JobResult> => {
    const session = inline as ort.InferenceSession;
    const first = await runJob(session, job);
    if (cells === undefined) return first;
    const second = await runJob(session, job);
    cost.observe(cells, second.inferenceMs * 1000);
    if (job.kind === 'text') {
      const wide = await runJob(session, { kind: 'text', texts: Array.from({ length: CALIBRATION_ROWS }, () => job.texts).flat() });
      cost.observe(cells * CALIBRATION_ROWS, wide.inferenceMs * 1000);
    }
    return second;
  };

  return {
    graph,
    size: (inline ? 1 : 0) + set.max,
    sizing: { inline: inline !== undefined, workers: set.max, lazy, intraOpThreads: pool?.sizing.intraOpThreads ?? 1 },
    get workers() {
      return { running: set.running, starting: set.starting };
    },
    admit(cells) {
      admitted = choose(cells);
      return admitted.run !== 'wait';
    },
    run(job, cells = 1) {
      const decision = admitted ?? choose(cells);
      admitted = undefined;
      // run without admit (direct callers): any free executor, a running worker rather than wait
      const where = decision.run !== 'wait' ? decision.run : set.running > 0 || inline === undefined ? 'worker' : 'inline';
      options.onRun?.(where, cells);
      return where === 'inline' ? runInline(job, cells) : runWorker(job, cells);
    },
    async runOnAll(job, verify, cells) {
      const results = await set.runOnAll(job, verify);
      const all = inline ? [await warmInline(job, cells), ...results] : results;
      if (verify) all.forEach(verify);
      return all;
    },
    onCapacity: (listener) => set.onCapacity(listener),
    async close() {
      lag.close();
      await set.close();
      await inline?.release();
    },
  };
}
