import { describe, expect, it } from 'vitest';
import type { RunResult } from './measure.js';
import { runsTable, stacksTable, summarize, targets, targetsTable, totalErrors, type StackRound } from './report.js';

const result = (id: string, rps: number, cpuS: number, p50Ms: number, p99Ms: number, rows = 1, errors = 0): RunResult => ({
  id,
  rps,
  rowsPerS: rps * rows,
  p50Ms,
  p99Ms,
  requests: rps * 10,
  errors,
  cpuS,
  reqPerCpuS: (rps * 10) / cpuS,
  rowsPerCpuS: (rps * 10 * rows) / cpuS,
  loadGenCpuS: 1,
});

const round = (system: StackRound['system'], scale: number, rss: number, ready: number, errors = 0): StackRound => ({
  system,
  startToReadyMs: ready,
  peakRssMb: rss,
  runs: [result('c32', 1000 * scale, 10, 5 / scale, 20 / scale, 1, errors), result('c32x8', 300 * scale, 10, 20, 40, 8)],
});

describe('summarize', () => {
  it('takes medians per system and load over the rounds, and sums errors', () => {
    const s = summarize([round('seed', 1, 100, 3000), round('fleet', 2, 150, 2000, 1), round('seed', 3, 300, 5000), round('fleet', 2, 150, 2000, 2)]);
    const seed = s.find((x) => x.system === 'seed');
    expect(seed?.startToReadyMs).toBe(4000);
    expect(seed?.peakRssMb).toBe(200);
    expect(seed?.runs.find((r) => r.id === 'c32')?.rps).toBe(2000);
    expect(s.find((x) => x.system === 'fleet')?.runs[0]?.errors).toBe(3);
  });
});

describe('targets', () => {
  const s = summarize([round('seed', 1, 100, 3000), round('seed-auto', 1, 110, 3000), round('fleet', 2.5, 115, 2000)]);
  const list = targets(s, ['c32'], 'c32x8');

  it('computes fleet ÷ seed for each seed variant and says which targets are met', () => {
    const byName = Object.fromEntries(list.map((t) => [t.name, t]));
    const eff = byName['req/s per CPU-second, c32'];
    expect(eff?.ratios.seed).toBe(2.5);
    expect(eff?.met(eff.ratios.seed ?? NaN)).toBe(true);
    const rss = byName['peak RSS (sum of processes)'];
    expect(rss?.met(rss.ratios.seed ?? NaN)).toBe(true); // 1.15
    const batch = byName['rows per CPU-second, c32x8'];
    expect(batch?.met(batch.ratios.seed ?? NaN)).toBe(false); // 2.5 < 5
    expect(byName['p99, c32']?.ratios['seed-auto']).toBeCloseTo(0.4);
  });

  it('renders the tables with ratios and verdicts', () => {
    const text = targetsTable(list, ['seed', 'seed-auto']);
    expect(text).toContain('| req/s per CPU-second, c32 | ≥ 2× | 2.50× met | 2.50× met |');
    expect(text).toContain('| rows per CPU-second, c32x8 | ≥ 5× | 2.50× not met | 2.50× not met |');
    expect(runsTable(s)).toContain('| c32 | fleet | 2,500 | 2,500 | 2.00 | 8.00 | 0 | 10.0 | 2,500 | 400 | 2,500 | 1.0 |');
    expect(stacksTable(s)).toContain('| fleet | 2,000 | 115 |');
  });

  it('judges light load (c=1, c=4) by p50, p99 and the stack CPU per request, all ≤ the seed', () => {
    const light = (system: StackRound['system'], p50: number, cpuS: number): StackRound => ({
      system,
      startToReadyMs: 1,
      peakRssMb: 1,
      runs: [result('c1', 500, cpuS, p50, p50 * 3)],
    });
    const byName = Object.fromEntries(targets(summarize([light('seed', 2, 4), light('fleet', 1, 5)]), [], 'c32x8', ['c1']).map((t) => [t.name, t]));
    expect(byName['p50, c1']?.ratios.seed).toBe(0.5);
    expect(byName['p99, c1']?.met(byName['p99, c1'].ratios.seed ?? NaN)).toBe(true);
    const cpu = byName['CPU per request, c1'];
    expect(cpu?.ratios.seed).toBeCloseTo(1.25); // 5 CPU-s vs 4 for the same requests
    expect(cpu?.met(cpu.ratios.seed ?? NaN)).toBe(false);
    expect(targetsTable(Object.values(byName), ['seed'])).toContain('| CPU per request, c1 | ≤ 1× | 1.25× not met |');
  });

  it('gives a base build (BENCH_FLEET_BASE) its own column: the ratio, without a verdict', () => {
    const withBase = summarize([round('seed', 1, 100, 3000), round('fleet-base', 2, 120, 2500), round('fleet', 2.5, 115, 2000)]);
    const text = targetsTable(targets(withBase, ['c32'], 'c32x8'), ['seed', 'fleet-base']);
    expect(text).toContain('vs fleet (base build)');
    expect(text).toContain('| req/s per CPU-second, c32 | ≥ 2× | 2.50× met | 1.25× |');
    expect(stacksTable(withBase)).toContain('| fleet (base build) | 2,500 | 120 |');
  });

  it('shows a dash when a side is missing', () => {
    const onlyFleet = targets(summarize([round('fleet', 1, 1, 1)]), ['c32'], 'c32x8');
    expect(targetsTable(onlyFleet, ['seed'])).toContain('| — |');
  });
});

describe('totalErrors', () => {
  it('adds the errors of every run and warm-up of every round', () => {
    expect(totalErrors([round('seed', 1, 1, 1, 2), { ...round('fleet', 1, 1, 1, 3), warmupErrors: 4 }])).toBe(9);
  });
});
