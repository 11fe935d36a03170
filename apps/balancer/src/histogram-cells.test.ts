import { createRequire } from 'node:module';
import type * as Prom from 'prom-client';
import { describe, expect, it } from 'vitest';
import { HistogramCells } from './histogram-cells.js';

const load = createRequire(import.meta.url);
const Registry = load('prom-client/lib/registry') as typeof Prom.Registry;
const Histogram = load('prom-client/lib/histogram') as typeof Prom.Histogram;

const OPTIONS = { name: 'h_seconds', help: 'latency', labelNames: ['group', 'peer'] as const, buckets: [0.001, 0.01, 0.1, 1] };

/** The same observations on prom-client's Histogram and on the cells, each on its own registry. */
async function both(observations: readonly [string, string, number][]): Promise<[string, string]> {
  const promRegistry = new Registry();
  const prom = new Histogram({ ...OPTIONS, labelNames: [...OPTIONS.labelNames], registers: [promRegistry] });
  const cellsRegistry = new Registry();
  const cells = new HistogramCells(OPTIONS);
  cellsRegistry.registerMetric(cells as unknown as Prom.Metric);
  for (const [group, peer, value] of observations) {
    prom.observe({ group, peer }, value);
    cells.observe(group, peer, value);
  }
  return [await promRegistry.metrics(), await cellsRegistry.metrics()];
}

describe('HistogramCells', () => {
  it("exposes what prom-client's Histogram exposes for the same observations (bounds inclusive, +Inf, sum, count, label pairs)", async () => {
    const [prom, cells] = await both([
      ['a', 'p1', 0.001],
      ['a', 'p1', 0.0011],
      ['a', 'p2', 0.5],
      ['b', 'p1', 7],
      ['a', 'p1', 0],
      ['b', 'p1', 0.01],
    ]);
    expect(cells).toBe(prom);
    expect(cells).toContain('h_seconds_bucket{le="0.001",group="a",peer="p1"} 2');
    expect(cells).toContain('h_seconds_bucket{le="+Inf",group="b",peer="p1"} 2');
  });

  it('exposes only HELP and TYPE before any observation, and again after reset', async () => {
    const [prom, cells] = await both([]);
    expect(cells).toBe(prom);
    const c = new HistogramCells(OPTIONS);
    c.observe('a', 'p', 1);
    c.reset();
    expect((await c.get()).values).toEqual([]);
  });
});
