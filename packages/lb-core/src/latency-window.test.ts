import { describe, expect, it } from 'vitest';
import { LatencyWindow, perTryTimeoutMs, type PerTryPolicy } from './latency-window.js';

const policy: PerTryPolicy = { quantile: 0.99, factor: 3, minMs: 50, maxMs: 0, minSamples: 10 };

describe('LatencyWindow', () => {
  it('gives nearest-rank quantiles over the last `size` samples only', () => {
    const w = new LatencyWindow(100);
    for (let i = 1; i <= 100; i++) w.observe(i);
    expect(w.quantile(0.5)).toBe(50);
    expect(w.quantile(0.99)).toBe(99);
    expect(w.quantile(1)).toBe(100);
    // 100 more samples of 1000 push every old one out of the ring.
    for (let i = 0; i < 100; i++) w.observe(1000);
    expect(w.quantile(0.01)).toBe(1000);
    expect(w.samples).toBe(100);
  });

  it('is empty until the first sample and ignores non-finite or negative ones', () => {
    const w = new LatencyWindow(8);
    expect(w.quantile(0.99)).toBeUndefined();
    w.observe(Number.NaN);
    w.observe(-1);
    expect(w.samples).toBe(0);
    w.observe(7);
    expect(w.quantile(0.99)).toBe(7);
  });

  it('refuses a window without room', () => {
    expect(() => new LatencyWindow(0)).toThrow(RangeError);
  });
});

describe('perTryTimeoutMs', () => {
  it('is p99 × factor with a floor, and none before minSamples', () => {
    const w = new LatencyWindow(64);
    for (let i = 0; i < 9; i++) w.observe(100);
    expect(perTryTimeoutMs(w, policy, 60_000)).toBeUndefined();
    w.observe(100);
    expect(perTryTimeoutMs(w, policy, 60_000)).toBe(300);
    const fast = new LatencyWindow(64);
    for (let i = 0; i < 20; i++) fast.observe(2);
    expect(perTryTimeoutMs(fast, policy, 60_000)).toBe(50); // the floor
  });

  it('is capped by maxMs and none when it would not fire before the attempt timeout', () => {
    const w = new LatencyWindow(64);
    for (let i = 0; i < 20; i++) w.observe(1000);
    expect(perTryTimeoutMs(w, { ...policy, maxMs: 2000 }, 60_000)).toBe(2000);
    expect(perTryTimeoutMs(w, policy, 3000)).toBeUndefined();
    expect(perTryTimeoutMs(w, policy, 0)).toBe(3000);
  });
});

describe('LatencyWindow edges', () => {
  it('sorts the samples: the quantile does not depend on their arrival order', () => {
    const w = new LatencyWindow(8);
    for (const ms of [50, 10, 40, 20, 30]) w.observe(ms);
    expect([0.2, 0.4, 0.6, 0.8, 1].map((q) => w.quantile(q))).toEqual([10, 20, 30, 40, 50]);
  });

  it('reads the quantile of the samples so far while the window fills', () => {
    const w = new LatencyWindow(64); // re-sorts every 8 samples once full
    for (const ms of [5, 1, 3]) w.observe(ms);
    expect(w.quantile(1)).toBe(5);
    w.observe(9);
    expect(w.quantile(1)).toBe(9);
  });

  it('once full, re-sorts every size/8 samples (the last read stands in between)', () => {
    const w = new LatencyWindow(16); // refresh every 2 samples
    for (let i = 1; i <= 16; i++) w.observe(i);
    expect(w.quantile(1)).toBe(16);
    w.observe(1000);
    expect(w.quantile(1)).toBe(16); // 1 of 2: not yet
    w.observe(1000);
    expect(w.quantile(1)).toBe(1000);
  });

  it('takes zero-latency samples, clamps the quantile to [0, 1], and allows a one-sample window', () => {
    const w = new LatencyWindow(1);
    w.observe(0);
    expect(w.samples).toBe(1);
    expect(w.quantile(0)).toBe(0);
    w.observe(7);
    expect(w.quantile(2)).toBe(7);
    expect(w.quantile(-1)).toBe(7);
    expect(() => new LatencyWindow(1.5)).toThrow('LatencyWindow size must be a positive integer, got 1.5');
  });
});
