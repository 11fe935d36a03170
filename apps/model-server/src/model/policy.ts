/**
 * Which executor runs a batch: the main thread (inline) or a worker thread. Pure.
 *
 * A round trip to a worker costs CPU on both threads (postMessage, structured clone, waking the
 * worker up and the event loop again): ~40–90 µs measured here, more than running a small batch
 * of the reference model inline (~35–75 µs; `bench:executors`, numbers in the README). So a
 * batch runs inline while its estimated run time is within `inlineMaxUs` and the event loop is
 * not lagging; a longer batch goes to a worker (the event loop keeps answering /health/live
 * and other requests) and waits for one when all are busy. With `maxWorkers` above the workers
 * running, a long batch that finds none free asks for one more (`start`: WORKERS=auto spawns
 * workers on demand; WORKERS=N starts them up front, so it never asks). Without workers (WORKERS=0) everything runs
 * inline; without a main-thread session (a worker-only backend) everything goes to workers.
 * While no worker runs (WORKERS=auto starts them on demand) the inline bound is `spawnMinUs`:
 * a worker is started only for a batch that would hold the event loop that long.
 */

/** Longest estimated run time of a batch run on the event loop (µs). */
export const INLINE_MAX_US = 200;
/**
 * With no worker running, a batch estimated within this runs inline too: a worker (its isolate
 * and onnxruntime session, ~45 MB, ~0.3 s to start) is started only for a batch that would hold
 * the event loop longer than the lag tolerated anyway (LAG_MAX_MS): a heavy model. The reference
 * model's largest default batch (32 × 512 cells) costs ~0.5–1 ms, and its wall-clock times,
 * which the cost model fits, reach a few ms when the cores are contended: with a 2 ms bound a
 * loaded replica started a worker it did not need (measured), so the bound is 10 ms.
 */
export const SPAWN_MIN_US = 10_000;
/** Event-loop lag past which batches leave the main thread when a worker can take them (ms). */
export const LAG_MAX_MS = 10;

export interface PolicyLimits {
  inlineMaxUs: number;
  /** With no worker running (or starting), the bound for inline instead (and for starting one). */
  spawnMinUs: number;
  lagMaxMs: number;
}

export const DEFAULT_POLICY_LIMITS: PolicyLimits = Object.freeze({ inlineMaxUs: INLINE_MAX_US, spawnMinUs: SPAWN_MIN_US, lagMaxMs: LAG_MAX_MS });

export interface ExecutorState {
  /** The main thread's session: free, running a batch, or absent. */
  inline: 'idle' | 'busy' | 'none';
  idleWorkers: number;
  /** Workers running or starting. */
  workers: number;
  maxWorkers: number;
}

export interface Decision {
  run: 'inline' | 'worker' | 'wait';
  /** Start one more worker (the batch, if it waits, goes to it once it is up). */
  start: boolean;
}

const WAIT: Decision = Object.freeze({ run: 'wait', start: false });
const INLINE: Decision = Object.freeze({ run: 'inline', start: false });
const WORKER: Decision = Object.freeze({ run: 'worker', start: false });

/**
 * `estimateUs` NaN (nothing measured yet) counts as long. `lagMs`: how late the event loop
 * currently runs what is scheduled on it.
 */
export function decide(estimateUs: number, lagMs: number, state: ExecutorState, limits: PolicyLimits): Decision {
  const canStart = state.workers < state.maxWorkers;
  if (state.maxWorkers === 0 && state.inline !== 'none') return state.inline === 'idle' ? INLINE : WAIT;
  const bound = state.workers === 0 ? Math.max(limits.inlineMaxUs, limits.spawnMinUs) : limits.inlineMaxUs;
  const long = !(estimateUs <= bound);
  if (state.inline === 'none' || long) {
    if (state.idleWorkers > 0) return WORKER;
    return canStart ? { run: 'wait', start: true } : WAIT;
  }
  if (lagMs <= limits.lagMaxMs) return state.inline === 'idle' ? INLINE : WAIT;
  // lagging: off the event loop when a worker is free, else inline rather than wait. A lagging
  // loop starts no worker: a light model's batches are not what delays it.
  if (state.idleWorkers > 0) return WORKER;
  return state.inline === 'idle' ? INLINE : WAIT;
}
