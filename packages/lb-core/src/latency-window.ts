/**
 * Recent response latencies of a group and the per-try timeout derived from them: the basis of
 * hedging a request away from a hung peer (Envoy `per_try_timeout` +
 * `hedge_policy.hedge_on_per_try_timeout`, with the timeout taken from observed latency the way
 * gRPC / Finagle backup requests use a latency percentile instead of a fixed value).
 *
 * The window keeps the last `size` samples in a ring; the quantile is recomputed (one sort of
 * `size` numbers) only after `size / 8` new samples, so reading it per request costs nothing.
 * Pure: no clock; samples are whatever the caller measured.
 */
export interface PerTryPolicy {
  /** Latency quantile the timeout is derived from (0.99 = p99). */
  quantile: number;
  /** Timeout = quantile × factor … */
  factor: number;
  /** … at least this (ms) … */
  minMs: number;
  /** … and at most this (ms; 0 = no cap beyond the caller's own). */
  maxMs: number;
  /** Below this many samples there is no per-try timeout (too little to judge). */
  minSamples: number;
}

export class LatencyWindow {
  private readonly ring: Float64Array;
  private count = 0;
  private next = 0;
  private sinceSort = 0;
  private sorted: Float64Array = new Float64Array(0);
  private readonly refreshEvery: number;

  constructor(readonly size = 512) {
    if (!Number.isInteger(size) || size < 1) throw new RangeError(`LatencyWindow size must be a positive integer, got ${size}`);
    this.ring = new Float64Array(size);
    this.refreshEvery = Math.max(1, Math.floor(size / 8));
  }

  get samples(): number {
    return this.count;
  }

  observe(latencyMs: number): void {
    if (!Number.isFinite(latencyMs) || latencyMs < 0) return;
    this.ring[this.next] = latencyMs;
    this.next = (this.next + 1) % this.size;
    if (this.count < this.size) this.count += 1;
    this.sinceSort += 1;
  }

  /** The `q` quantile (nearest rank) of the samples in the window; undefined when empty. */
  quantile(q: number): number | undefined {
    // Stryker disable next-line ConditionalExpression: without it an empty window reads sorted[-1] of an empty array, undefined all the same
    if (this.count === 0) return undefined;
    // Stryker disable next-line ConditionalExpression,EqualityOperator: right after a sort the lengths match, so `sinceSort > 0` never decides
    if (this.sorted.length !== this.count && this.sinceSort > 0) this.resort();
    else if (this.sinceSort >= this.refreshEvery) this.resort();
    const rank = Math.min(this.count - 1, Math.max(0, Math.ceil(q * this.count) - 1));
    return this.sorted[rank];
  }

  private resort(): void {
    this.sorted = this.ring.slice(0, this.count).sort();
    this.sinceSort = 0;
  }
}

/**
 * The per-try timeout for the next attempt, or undefined when there is none (too few samples).
 * `ceilingMs` is the caller's own bound (the attempt's headers timeout): a per-try timeout at or
 * above it would never fire first, so it is reported as none.
 */
export function perTryTimeoutMs(window: LatencyWindow, policy: PerTryPolicy, ceilingMs: number): number | undefined {
  if (window.samples < policy.minSamples) return undefined;
  const q = window.quantile(policy.quantile);
  if (q === undefined) return undefined;
  let ms = Math.max(policy.minMs, q * policy.factor);
  if (policy.maxMs > 0) ms = Math.min(ms, policy.maxMs);
  ms = Math.ceil(ms);
  return ceilingMs > 0 && ms >= ceilingMs ? undefined : ms;
}
