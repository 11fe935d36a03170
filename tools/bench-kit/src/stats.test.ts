import { describe, expect, it } from 'vitest';
import { fmt, markdownTable, median, ratio } from './stats.js';

describe('median', () => {
  it('takes the middle value, or the mean of the two middle ones', () => {
    expect(median([3, 1, 2])).toBe(2);
    expect(median([4, 1, 3, 2])).toBe(2.5);
  });
  it('ignores non-finite values and is NaN for none', () => {
    expect(median([NaN, 5])).toBe(5);
    expect(median([])).toBeNaN();
  });
});

describe('ratio and fmt', () => {
  it('is NaN on a zero or missing denominator, shown as a dash', () => {
    expect(ratio(3, 2)).toBe(1.5);
    expect(ratio(1, 0)).toBeNaN();
    expect(fmt(ratio(1, NaN))).toBe('—');
    expect(fmt(12345.678, 1)).toBe('12,345.7');
  });
});

describe('markdownTable', () => {
  it('right-aligns numeric columns', () => {
    expect(markdownTable(['system', 'req/s'], [['fleet', '1,234'], ['seed', '—']])).toBe(
      '| system | req/s |\n| --- | ---: |\n| fleet | 1,234 |\n| seed | — |',
    );
  });
});
