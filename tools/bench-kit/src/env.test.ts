import { describe, expect, it } from 'vitest';
import { envFlag, envInt, envList } from './env.js';

describe('envInt', () => {
  it('reads an integer, the fallback when unset or blank', () => {
    expect(envInt({ N: '12' }, 'N', 3)).toBe(12);
    expect(envInt({ N: ' 0 ' }, 'N', 3)).toBe(0);
    expect(envInt({}, 'N', 3)).toBe(3);
    expect(envInt({ N: '  ' }, 'N', 3)).toBe(3);
  });

  it.each(['ten', '-1', '1.5', '0x10', '1e3', '9007199254740993'])('refuses %j with BENCH_BAD_ENV, naming the variable', (raw) => {
    expect(() => envInt({ N: raw }, 'N', 3)).toThrow(expect.objectContaining({ code: 'BENCH_BAD_ENV', message: `N must be a non-negative integer, got ${JSON.stringify(raw)}` }));
  });

  it('holds a range: its bounds are in, one past them is out', () => {
    expect(envInt({ N: '1' }, 'N', 3, { min: 1 })).toBe(1);
    expect(() => envInt({ N: '0' }, 'N', 3, { min: 1 })).toThrow('N must be an integer ≥ 1, got "0"');
    expect(envInt({ N: '9' }, 'N', 3, { min: 1, max: 9 })).toBe(9);
    expect(() => envInt({ N: '10' }, 'N', 3, { min: 1, max: 9 })).toThrow('N must be an integer from 1 to 9, got "10"');
  });
});

describe('envFlag', () => {
  it('reads 1/true as on and 0/false as off, any case; the fallback when unset', () => {
    expect([envFlag({ F: '1' }, 'F'), envFlag({ F: 'TRUE' }, 'F'), envFlag({ F: '0' }, 'F', true), envFlag({ F: 'false' }, 'F', true)]).toEqual([true, true, false, false]);
    expect([envFlag({}, 'F'), envFlag({ F: '' }, 'F', true)]).toEqual([false, true]);
  });

  it('refuses anything else, naming the variable', () => {
    expect(() => envFlag({ F: 'yes' }, 'F')).toThrow(expect.objectContaining({ code: 'BENCH_BAD_ENV', message: 'F must be 1 or 0 (true or false), got "yes"' }));
  });
});

describe('envList', () => {
  const known = ['a', 'b', 'c'] as const;
  it('keeps the order given and drops duplicates; all when unset or blank', () => {
    expect(envList({ L: ' c, a ,c' }, 'L', known)).toEqual(['c', 'a']);
    expect(envList({}, 'L', known)).toEqual(['a', 'b', 'c']);
    expect(envList({ L: ' ' }, 'L', known)).toEqual(['a', 'b', 'c']);
  });

  it('refuses unknown and empty items, naming the variable and what it knows', () => {
    expect(() => envList({ L: 'a,x,' }, 'L', known)).toThrow(expect.objectContaining({ code: 'BENCH_BAD_ENV', message: 'L: unknown "x", ""; known: a, b, c' }));
  });
});
