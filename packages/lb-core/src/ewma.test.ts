import { describe, expect, it } from 'vitest';
import { PeakEwma } from './ewma.js';

describe('PeakEwma', () => {
  it('has no estimate before the first sample', () => {
    expect(new PeakEwma(1000).estimate(0)).toBeUndefined();
  });

  it('jumps to a peak at once', () => {
    const e = new PeakEwma(1000);
    e.observe(10, 0);
    e.observe(500, 1);
    expect(e.estimate(1)).toBe(500);
  });

  it('blends a lower sample with weight 1 − e^(−Δt/τ)', () => {
    const e = new PeakEwma(1000);
    e.observe(100, 0);
    e.observe(0, 1000); // w = e^-1: 100·e^-1
    expect(e.estimate(1000)).toBeCloseTo(100 * Math.exp(-1), 9);
  });

  it('blends over the time since the previous sample, not since the clock origin', () => {
    const e = new PeakEwma(1000);
    e.observe(100, 5000);
    e.observe(50, 6000); // Δt = 1000: w = e^-1
    expect(e.estimate(6000)).toBeCloseTo(100 * Math.exp(-1) + 50 * (1 - Math.exp(-1)), 9);
  });

  it('decays toward zero while idle, and reads do not change it', () => {
    const e = new PeakEwma(1000);
    e.observe(100, 0);
    expect(e.estimate(500)).toBeCloseTo(100 * Math.exp(-0.5), 9);
    expect(e.estimate(2000)).toBeCloseTo(100 * Math.exp(-2), 9);
    expect(e.estimate(500)).toBeCloseTo(100 * Math.exp(-0.5), 9);
    expect(e.last).toBe(100);
  });
});
