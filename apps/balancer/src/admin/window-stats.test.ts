import { describe, expect, it } from 'vitest';
import { totalsKey, type TotalsSample } from './peer-totals.js';
import { histogramQuantile, peerStats } from './window-stats.js';

const BOUNDS = [0.01, 0.1, 1, Infinity];

function sample(requests: number, errors: number, buckets: number[]): TotalsSample {
  return { bounds: BOUNDS, peers: new Map([[totalsKey('g', 'p'), { requests, errors, buckets }]]) };
}

describe('histogramQuantile (Prometheus histogram_quantile)', () => {
  it.each([
    // [q, cumulative counts, expected seconds]
    [0.5, [0, 10, 10, 10], 0.055], // rank 5 of 10 halfway through (0.01, 0.1]
    [0.5, [10, 10, 10, 10], 0.005], // the first bucket starts at 0
    [0.99, [0, 0, 100, 100], 0.991], // (0.1, 1]: 0.1 + 0.9 × 0.99
    [0.99, [0, 0, 50, 100], 1], // the rank lies in +Inf: the highest finite bound
    [0.5, [0, 0, 0, 0], null], // empty
  ])('q=%s over %j → %s', (q, counts, expected) => {
    const got = histogramQuantile(q, BOUNDS, counts);
    if (expected === null) expect(got).toBeNull();
    else expect(got).toBeCloseTo(expected, 9);
  });
});

describe('peerStats', () => {
  it('req/s over the last tick, errors and quantiles over the window', () => {
    const start = { at: 0, sample: sample(100, 0, [100, 100, 100, 100]) };
    const prev = { at: 9_000, sample: sample(180, 2, [100, 180, 180, 180]) };
    const now = { at: 10_000, sample: sample(200, 4, [100, 190, 200, 200]) };
    const s = peerStats('g', 'p', now, prev, start);
    expect(s.rps).toBe(20);
    expect(s.errorRate).toBeCloseTo(4 / 100, 9);
    expect(s.p50Ms).toBeCloseTo((0.01 + 0.09 * (50 / 90)) * 1000, 6);
    expect(s.p99Ms).toBeCloseTo((0.1 + 0.9 * ((99 - 90) / 10)) * 1000, 6);
  });

  it('is empty without traffic in the window and restarts from zero after a counter reset', () => {
    const a = { at: 0, sample: sample(50, 1, [50, 50, 50, 50]) };
    expect(peerStats('g', 'p', a, a, a)).toEqual({ rps: 0, errorRate: null, p50Ms: null, p99Ms: null });
    const reset = { at: 1000, sample: sample(5, 0, [5, 5, 5, 5]) };
    expect(peerStats('g', 'p', reset, a, a)).toMatchObject({ rps: 5, errorRate: 0 });
    expect(peerStats('g', 'other', reset, a, a)).toEqual({ rps: 0, errorRate: null, p50Ms: null, p99Ms: null });
  });
});
