import { describe, expect, it } from 'vitest';
import { lowercaseMap, rangesOf } from './unicode-tables.js';

describe('rangesOf', () => {
  it('merges consecutive code points and closes the last range', () => {
    expect(rangesOf((ch) => /^[a-cx-z]$/.test(ch), 0x7f)).toEqual([[0x61, 0x63], [0x78, 0x7a]]);
    expect(rangesOf(() => true, 3)).toEqual([[0, 3]]);
  });

  it('never includes a surrogate code unit', () => {
    const all = rangesOf(() => true, 0xe000);
    expect(all).toEqual([[0, 0xd7ff], [0xe000, 0xe000]]);
  });
});

describe('lowercaseMap', () => {
  it('lists only code points that change, with multi-character results kept whole', () => {
    const map = new Map(lowercaseMap(0x200));
    expect(map.get(0x41)).toBe('a');
    expect(map.has(0x61)).toBe(false);
    expect(map.get(0x130)).toBe('i\u0307'); // İ → i + combining dot above
  });
});
