import { Counter, Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import { CounterCells, type CounterSink } from './counter-cells.js';

const recorder = (): CounterSink & { calls: [Record<string, string>, number][] } => {
  const calls: [Record<string, string>, number][] = [];
  return { calls, inc: (labels, value) => void calls.push([labels, value]) };
};

describe('CounterCells', () => {
  it('counts per label set and hands the counts over once', () => {
    const cells = new CounterCells(['group', 'peer', 'status']);
    cells.inc('g', 'a', 200);
    cells.inc('g', 'a', 200);
    cells.inc('g', 'b', 200);
    cells.inc('g', 'a', 'UND_ERR_SOCKET');
    const sink = recorder();
    cells.flushInto(sink);
    expect(sink.calls).toEqual([
      [{ group: 'g', peer: 'a', status: '200' }, 2],
      [{ group: 'g', peer: 'b', status: '200' }, 1],
      [{ group: 'g', peer: 'a', status: 'UND_ERR_SOCKET' }, 1],
    ]);
    const again = recorder();
    cells.flushInto(again);
    expect(again.calls).toEqual([]);
    cells.inc('g', 'b', 200);
    cells.flushInto(again);
    expect(again.calls).toEqual([[{ group: 'g', peer: 'b', status: '200' }, 1]]);
  });

  it('keeps a number and its string apart only in lookup, not in the exposed label', () => {
    const cells = new CounterCells(['route', 'status']);
    cells.inc('/', 200);
    cells.inc('/', '200');
    const sink = recorder();
    cells.flushInto(sink);
    expect(sink.calls.map(([l, n]) => [l.status, n])).toEqual([
      ['200', 1],
      ['200', 1],
    ]);
  });

  it('gives a prom-client Counter the same values as inc per request, at scrape time', async () => {
    const registry = new Registry();
    const cells = new CounterCells(['route', 'status']);
    new Counter({
      name: 'c_total',
      help: 'h',
      labelNames: ['route', 'status'],
      registers: [registry],
      collect() {
        cells.flushInto(this);
      },
    });
    for (let i = 0; i < 3; i++) cells.inc('/', 200);
    cells.inc('/predict', 502);
    const text = await registry.metrics();
    expect(text).toContain('c_total{route="/",status="200"} 3');
    expect(text).toContain('c_total{route="/predict",status="502"} 1');
    cells.inc('/', 200);
    expect(await registry.metrics()).toContain('c_total{route="/",status="200"} 4');
  });
});
