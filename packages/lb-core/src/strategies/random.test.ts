import { describe, expect, it } from 'vitest';
import { countBy, makeGroup, pickId, pickIds, weighted } from '../../test/helpers.js';
import { createSeededRandom } from '../index.js';

const N = 20_000;
const share = (ids: string[]) => {
  const counts = countBy(ids);
  return Object.fromEntries(Object.entries(counts).map(([id, n]) => [id, n / ids.length]));
};

describe('createSeededRandom', () => {
  it('is deterministic, in [0, 1) and roughly uniform', () => {
    const a = createSeededRandom(1);
    const b = createSeededRandom(1);
    const xs = Array.from({ length: N }, () => a());
    expect(xs.slice(0, 5)).toEqual(Array.from({ length: 5 }, () => b()));
    expect(xs.every((x) => x >= 0 && x < 1)).toBe(true);
    expect(Math.abs(xs.reduce((s, x) => s + x, 0) / N - 0.5)).toBeLessThan(0.01);
    expect(createSeededRandom(2)()).not.toBe(createSeededRandom(1)());
  });
});

describe('random (weighted)', () => {
  it.each<{ weights: Record<string, number> }>([
    { weights: { a: 1, b: 1, c: 1 } },
    { weights: { a: 5, b: 1, c: 1 } },
    { weights: { a: 3, b: 2 } },
  ])('traffic follows weights $weights within ±1.5 points', ({ weights }) => {
    const group = makeGroup('random', weighted(weights), { random: createSeededRandom(3) });
    const got = share(pickIds(group, N));
    const total = Object.values(weights).reduce((s, w) => s + w, 0);
    for (const [id, w] of Object.entries(weights)) expect(Math.abs(got[id]! - w / total)).toBeLessThan(0.015);
  });

  it('never picks an unusable peer', () => {
    const group = makeGroup('random', weighted({ a: 1, b: 1, c: 1 }).map((p) => ({ ...p, down: p.id === 'b' })));
    expect(pickIds(group, 500)).not.toContain('b');
  });
});

describe('random_two (power of two choices)', () => {
  it('with no load follows weights (±1.5 points)', () => {
    const group = makeGroup('random_two', weighted({ a: 2, b: 1, c: 1 }), { random: createSeededRandom(5) });
    const got = share(pickIds(group, N));
    expect(Math.abs(got.a! - 0.5)).toBeLessThan(0.015);
    expect(Math.abs(got.b! - 0.25)).toBeLessThan(0.015);
  });

  it('never picks the most loaded of three equal peers (it always loses its pair)', () => {
    const group = makeGroup('random_two', weighted({ a: 1, b: 1, c: 1 }), { random: createSeededRandom(9) });
    for (let i = 0; i < 5; i++) group.acquire('c');
    group.acquire('b');
    const got = countBy(pickIds(group, 3000));
    expect(got.c).toBeUndefined();
    // a wins every pair it is in (2 of 3 pairs); b only wins b-vs-c (1 of 3)
    expect(Math.abs(got.a! / 3000 - 2 / 3)).toBeLessThan(0.03);
  });

  it('compares load per unit of weight', () => {
    // a: 3 in flight / weight 4 = 0.75 < b: 1 / 1 → a wins whenever the pair is drawn
    const group = makeGroup('random_two', weighted({ a: 4, b: 1 }), { random: createSeededRandom(1) });
    for (let i = 0; i < 3; i++) group.acquire('a');
    group.acquire('b');
    expect(new Set(pickIds(group, 50))).toEqual(new Set(['a']));
  });

  it('with one usable peer returns it', () => {
    const group = makeGroup('random_two', weighted({ a: 1, b: 1 }).map((p) => ({ ...p, down: p.id === 'a' })));
    expect(pickId(group, { now: 0 })).toBe('b');
  });
});
