/**
 * Rates and latency quantiles from cumulative counters, the way Prometheus computes them:
 * req/s from the difference of two samples over the time between them, error ratio and
 * p50/p99 over a sliding window of samples, quantiles interpolated linearly inside the
 * histogram bucket that holds the rank (`histogram_quantile`). Pure: samples come in with
 * their timestamps.
 */
import { totalsKey, type PeerTotals, type TotalsSample } from './peer-totals.js';

export interface TimedSample {
  /** Monotonic milliseconds. */
  at: number;
  sample: TotalsSample;
}

export interface PeerStats {
  rps: number;
  errorRate: number | null;
  p50Ms: number | null;
  p99Ms: number | null;
}

/** `histogram_quantile(q, …)` over cumulative bucket counts; null when the histogram is empty. */
export function histogramQuantile(q: number, bounds: readonly number[], cumulative: readonly number[]): number | null {
  const total = cumulative[cumulative.length - 1] ?? 0;
  if (total <= 0) return null;
  const rank = q * total;
  for (let i = 0; i < bounds.length; i++) {
    const count = cumulative[i] ?? 0;
    if (count < rank) continue;
    const upper = bounds[i] ?? Infinity;
    const lower = i === 0 ? 0 : (bounds[i - 1] ?? 0);
    // Like Prometheus: a rank in the +Inf bucket answers the highest finite bound.
    if (upper === Infinity) return lower;
    const below = i === 0 ? 0 : (cumulative[i - 1] ?? 0);
    const inBucket = count - below;
    return inBucket <= 0 ? upper : lower + (upper - lower) * ((rank - below) / inBucket);
  }
  return bounds[bounds.length - 2] ?? null;
}

const ZERO: PeerTotals = { requests: 0, errors: 0, buckets: [] };

/** Counters only grow; a smaller value means they restarted (count from zero, as `rate()` does). */
function delta(now: number, before: number): number {
  return now >= before ? now - before : now;
}

function deltaBuckets(now: readonly number[], before: readonly number[]): number[] {
  return now.map((v, i) => delta(v, before[i] ?? 0));
}

export function peerStats(group: string, peer: string, current: TimedSample, previous?: TimedSample, windowStart?: TimedSample): PeerStats {
  const key = totalsKey(group, peer);
  const now = current.sample.peers.get(key) ?? ZERO;
  const prev = previous?.sample.peers.get(key) ?? ZERO;
  const seconds = previous === undefined ? 0 : (current.at - previous.at) / 1000;
  const rps = seconds > 0 ? delta(now.requests, prev.requests) / seconds : 0;
  const start = windowStart?.sample.peers.get(key) ?? ZERO;
  const requests = delta(now.requests, start.requests);
  const errors = delta(now.errors, start.errors);
  const buckets = deltaBuckets(now.buckets, start.buckets);
  const { bounds } = current.sample;
  const ms = (q: number): number | null => {
    const s = histogramQuantile(q, bounds, buckets);
    return s === null ? null : s * 1000;
  };
  return { rps, errorRate: requests > 0 ? Math.min(1, errors / requests) : null, p50Ms: ms(0.5), p99Ms: ms(0.99) };
}
