import { describe, expect, it } from 'vitest';
import { countBy, makeGroup, peer, pickId, pickIds, weighted } from '../../test/helpers.js';
import { createSeededRandom } from '../index.js';
import { PeerEntry } from '../peer.js';
import { weightedDraw } from './random.js';

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

  it('maps the draw onto the weights as half-open intervals: [0, w₁) → first, [w₁, w₁ + w₂) → second', () => {
    // weights 1, 1, 2: a draw of x·4 picks a below 1, b in [1, 2), c in [2, 4)
    const picks = [0, 0.2499, 0.25, 0.4999, 0.5, 0.9999].map((x) =>
      pickId(makeGroup('random', weighted({ a: 1, b: 1, c: 2 }), { random: () => x }), { now: 0 }),
    );
    expect(picks.join('')).toBe('aabbcc');
  });

  it('ignores requests in flight (that is random_two)', () => {
    const group = makeGroup('random', weighted({ a: 1, b: 1 }), { random: createSeededRandom(4) });
    for (let i = 0; i < 10; i++) group.acquire('a');
    expect(Math.abs(share(pickIds(group, 2000)).a! - 0.5)).toBeLessThan(0.05);
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

  it('draws the second peer among the others only, on the same half-open intervals', () => {
    const a = new PeerEntry(peer('a'), 0);
    const b = new PeerEntry(peer('b'), 0);
    const c = new PeerEntry(peer('c'), 0);
    // without a, a draw of 0.5 · 2 = 1 lands exactly on the start of c's interval
    expect(weightedDraw([a, b, c], 0, () => 0, a)).toBe(b);
    expect(weightedDraw([a, b, c], 0, () => 0.5, a)).toBe(c);
    expect(weightedDraw([a, b, c], 0, () => 0.5, c)).toBe(b);
  });

  it('with one usable peer returns it', () => {
    const group = makeGroup('random_two', weighted({ a: 1, b: 1 }).map((p) => ({ ...p, down: p.id === 'a' })));
    expect(pickId(group, { now: 0 })).toBe('b');
  });
});
