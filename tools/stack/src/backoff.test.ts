import { describe, expect, it } from 'vitest';
import { backoffDelay, createRestartTracker, DEFAULT_BACKOFF, type BackoffPolicy } from './backoff.js';

const policy: BackoffPolicy = { initialMs: 100, factor: 2, maxMs: 1000, resetAfterMs: 5000 };

describe('backoff', () => {
  it('doubles from the initial delay up to the cap', () => {
    expect([0, 1, 2, 3, 4, 5, 10].map((a) => backoffDelay(policy, a))).toEqual([100, 200, 400, 800, 1000, 1000, 1000]);
  });

  it('defaults to 0.5s doubling, capped at 30s, reset after 10s up', () => {
    expect(DEFAULT_BACKOFF).toEqual({ initialMs: 500, factor: 2, maxMs: 30_000, resetAfterMs: 10_000 });
    expect(backoffDelay(DEFAULT_BACKOFF, 20)).toBe(30_000);
  });

  it('grows across quick crashes and starts over after a long enough run', () => {
    const tracker = createRestartTracker(policy);
    expect([10, 10, 10].map((up) => tracker.nextDelay(up))).toEqual([100, 200, 400]);
    expect(tracker.attempt).toBe(3);
    expect(tracker.nextDelay(4999)).toBe(800);
    expect(tracker.nextDelay(5000)).toBe(100);
    expect(tracker.attempt).toBe(1);
  });
});
