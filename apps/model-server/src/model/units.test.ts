import { describe, expect, it } from 'vitest';
import { chunkRows, chunkTexts, chunkUniform, joinOutputs, splitFeeds } from './units.js';
import type { WireTensor } from './tensors.js';

describe('request units', () => {
  it('chunks rows greedily within maxBatchSize rows and maxBatchCells padded cells', () => {
    const limits = { maxBatchSize: 3, maxBatchCells: 30 };
    expect(chunkRows([1, 1, 1, 1, 1, 1, 1], limits).map((c) => [c.start, c.rows])).toEqual([[0, 3], [3, 3], [6, 1]]);
    // 2 × 10 = 20 fits, a third row of width 10 would make 30 (fits), then width 20 → 4 × 20 > 30
    expect(chunkRows([10, 10, 10, 20, 5], limits)).toEqual([
      { start: 0, rows: 3, width: 10 },
      { start: 3, rows: 1, width: 20 },
      { start: 4, rows: 1, width: 5 },
    ]);
    // a row wider than the cap is a chunk of its own; zero widths count as one cell
    expect(chunkRows([100, 0], limits)).toEqual([{ start: 0, rows: 1, width: 100 }, { start: 1, rows: 1, width: 1 }]);
  });

  it('sizes texts by their token bound', () => {
    const chunks = chunkTexts(['a b c d', 'x', 'y'], { maxBatchSize: 32, maxBatchCells: 8 });
    expect(chunks).toEqual([{ start: 0, rows: 2, width: 4 }, { start: 2, rows: 1, width: 1 }]);
  });

  it('splits uniform rows and joins per-row outputs back in order', () => {
    const chunks = chunkUniform(5, 4, { maxBatchSize: 32, maxBatchCells: 8 });
    expect(chunks.map((c) => c.rows)).toEqual([2, 2, 1]);
    const x: WireTensor = { type: 'float32', dims: [5, 4], data: Float32Array.from({ length: 20 }, (_, i) => i) };
    const parts = splitFeeds({ x }, chunks);
    expect(parts.map((p) => p.x?.dims)).toEqual([[2, 4], [2, 4], [1, 4]]);
    const outputs = parts.map((p) => ({ y: p.x as WireTensor, meta: { type: 'int64', dims: [1], data: BigInt64Array.from([7n]) } as WireTensor }));
    const joined = joinOutputs(outputs, chunks);
    expect(Array.from(joined.y?.data as Float32Array)).toEqual(Array.from(x.data as Float32Array));
    expect(joined.y?.dims).toEqual([5, 4]);
    expect(joined.meta?.dims).toEqual([1]); // not per row: the first unit's
  });
});
