/** The model-server bench's summary: medians over rounds, the table, issue 11's targets at their bounds. */
import { describe, expect, it } from 'vitest';
import { c8Metrics, c8Phases, cell, issue11Targets, median, medianMetrics, roundOrder, tableLines, targetLines, type Metrics } from './summary.js';

/** A build that meets every target exactly at its bound. */
const AT_BOUNDS: Metrics = {
  'cpu c=2 (µs/req)': 150,
  'cpu c=8 (µs/req)': 60,
  'floor cpu c=8 (µs/req)': 40,
  'c=8 ÷ floor': 1.5,
  'cpu c=64 (µs/req)': 50,
  'p50 c=1 (ms)': 0.5,
  'floor p50 c=1 (ms)': 0.2,
  'peak RSS (MB)': 100,
  'start one (ms)': 800,
  'start three (ms)': 1500,
  'rows/s ×8 c=64': 1000,
};
const metBy = (now: Metrics, base?: Metrics): boolean[] => issue11Targets(now, base).map((t) => t.met);

describe('median and medianMetrics', () => {
  it('takes the middle value, or the mean of the two middle ones', () => {
    expect(median([3, 1, 2])).toBe(2);
    expect(median([40, 10])).toBe(25);
    expect(median([4, 1, 3, 2])).toBe(2.5);
  });

  it('is NaN for no values, or when a round lacks the metric', () => {
    expect(median([])).toBeNaN();
    expect(median([1, NaN])).toBeNaN();
    expect(median([NaN, 2, 1])).toBeNaN();
    expect(medianMetrics([{ a: 1 }, { a: 3, b: 5 }])).toEqual({ a: 2, b: NaN });
  });
});

describe('the table', () => {
  it('shows two decimals under 10, none from 10 on, n/a when missing', () => {
    expect([cell(2.5), cell(9.994), cell(10), cell(123.6), cell(NaN), cell(undefined)]).toEqual(['2.50', '9.99', '10', '124', 'n/a', 'n/a']);
  });

  it('has a row per metric of this build and a column per build', () => {
    expect(tableLines(['this', 'base/dist/main.js'], [{ 'p50 c=1 (ms)': 0.75, 'peak RSS (MB)': 88.4 }, { 'p50 c=1 (ms)': 1.5 }], 2)).toEqual([
      '\n| metric (median of 2) | this build | base/dist/main.js |',
      '| --- | --- | --- |',
      '| p50 c=1 (ms) | 0.75 | 1.50 |',
      '| peak RSS (MB) | 88 | n/a |',
    ]);
  });
});

describe("issue 11's targets", () => {
  it('are all met exactly at their bounds (rows/s equal to the other build included)', () => {
    expect(metBy(AT_BOUNDS, { 'rows/s ×8 c=64': 1000 })).toEqual(Array(9).fill(true));
  });

  it.each([
    [0, 'cpu c=2 (µs/req)', 150.01],
    [1, 'cpu c=8 (µs/req)', 100.01],
    [2, 'cpu c=64 (µs/req)', 50.01],
    [3, 'c=8 ÷ floor', 1.5001],
    [4, 'p50 c=1 (ms)', 0.5001],
    [5, 'peak RSS (MB)', 100.01],
    [6, 'start one (ms)', 800.1],
    [7, 'start three (ms)', 1500.1],
    [8, 'rows/s ×8 c=64', 999],
  ])('target %i is not met just past its bound (%s = %d), the others still are', (index, key, value) => {
    const now = { ...AT_BOUNDS, [key]: value };
    const met = metBy(now, { 'rows/s ×8 c=64': 1000 });
    expect(met[index]).toBe(false);
    expect(met.filter((m) => !m)).toHaveLength(1);
  });

  it('holds c=8 to 100 µs itself', () => {
    expect(metBy({ ...AT_BOUNDS, 'cpu c=8 (µs/req)': 100 })[1]).toBe(true);
  });

  it('judges the floor ratio by the interleaved ratio, not by the two medians over rounds', () => {
    // rounds' ratios 1.4 and 1.6 (median 1.5); the medians of the routes alone would say 100 / 60
    expect(metBy({ ...AT_BOUNDS, 'cpu c=8 (µs/req)': 100, 'floor cpu c=8 (µs/req)': 60, 'c=8 ÷ floor': 1.5 })[3]).toBe(true);
  });

  it('compares rows/s only when another build ran, and never meets a missing figure', () => {
    expect(issue11Targets(AT_BOUNDS, undefined)).toHaveLength(8);
    expect(metBy({}, { 'rows/s ×8 c=64': 1 })).toEqual(Array(9).fill(false));
    expect(metBy(AT_BOUNDS, {}).at(-1)).toBe(false);
  });

  it('prints one line per target, met or NOT met', () => {
    const lines = targetLines(issue11Targets({ ...AT_BOUNDS, 'peak RSS (MB)': 140.4 }, undefined));
    expect(lines[0]).toBe('\ntargets (issue 11):');
    expect(lines[1]).toBe('  met      CPU per request c=2 ≤ 150 µs: 150');
    expect(lines[4]).toBe('  met      c=8 ≤ 1.5× the bare-route floor: 1.50×');
    expect(lines[5]).toBe('  met      p50 c=1 ≤ floor p50 + 0.3 ms: 0.50 vs 0.20 ms');
    expect(lines[6]).toBe('  NOT met  peak RSS ≤ 100 MB: 140 MB');
    expect(lines).toHaveLength(9);
  });
});

describe('the interleaved c=8 block', () => {
  it('alternates floor and /predict phases, the order within a pair reversed every pair', () => {
    expect(c8Phases(4)).toEqual(['floor', 'predict', 'predict', 'floor', 'floor', 'predict', 'predict', 'floor']);
    expect(c8Phases(1)).toEqual(['floor', 'predict']);
    expect(c8Phases(0)).toEqual([]);
  });

  it("takes each route's median over its phases and the ratio of the two medians", () => {
    expect(c8Metrics([90, 100, 80, 300], [50, 40, 60, 45])).toEqual({
      'cpu c=8 (µs/req)': 95,
      'floor cpu c=8 (µs/req)': 47.5,
      'c=8 ÷ floor': 2,
    });
  });

  it('has no floor and no ratio when the build has no bare route', () => {
    const m = c8Metrics([90, 100], []);
    expect(m['cpu c=8 (µs/req)']).toBe(95);
    expect(m['floor cpu c=8 (µs/req)']).toBeNaN();
    expect(m['c=8 ÷ floor']).toBeNaN();
  });
});

describe('roundOrder', () => {
  it('alternates which build runs first: A, B, then B, A', () => {
    expect([0, 1, 2, 3].map((r) => roundOrder(2, r))).toEqual([
      [0, 1],
      [1, 0],
      [0, 1],
      [1, 0],
    ]);
  });

  it('reverses any number of builds in odd rounds, and runs a single build alone', () => {
    expect(roundOrder(3, 0)).toEqual([0, 1, 2]);
    expect(roundOrder(3, 1)).toEqual([2, 1, 0]);
    expect(roundOrder(1, 1)).toEqual([0]);
  });
});
