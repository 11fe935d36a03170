import { describe, expect, it } from 'vitest';
import { createCostModel } from './cost.js';

describe('cost model', () => {
  it('knows nothing before the first run', () => {
    const cost = createCostModel();
    expect(cost.estimateUs(100)).toBeNaN();
    expect(cost.cellsWithin(200)).toBe(1);
  });

  it('fits fixed + per-cell cost over runs of different sizes', () => {
    const cost = createCostModel();
    for (const [cells, us] of [[10, 30], [20, 50], [40, 90]] as const) cost.observe(cells, us);
    expect(cost.estimateUs(30)).toBeCloseTo(70, 6);
    expect(cost.cellsWithin(210)).toBe(100);
  });

  it('with runs of one size only, scales proportionally (never below the truth for larger batches)', () => {
    const cost = createCostModel();
    for (let i = 0; i < 3; i += 1) cost.observe(10, 50);
    expect(cost.estimateUs(20)).toBeCloseTo(100, 6);
  });

  it('follows the recent runs (older ones weigh half every halfLife runs)', () => {
    const cost = createCostModel({ halfLife: 2 });
    for (let i = 0; i < 20; i += 1) cost.observe(10, 1000);
    for (let i = 0; i < 20; i += 1) cost.observe(10, 10);
    expect(cost.estimateUs(10)).toBeLessThan(11);
  });

  it('ignores nonsense observations', () => {
    const cost = createCostModel();
    cost.observe(0, 10);
    cost.observe(10, Number.NaN);
    expect(cost.samples).toBe(0);
  });
});
