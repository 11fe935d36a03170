import { describe, expect, it } from 'vitest';
import { fail, makeGroup, pickId, pickIds, weighted } from '../../test/helpers.js';

// least_conn as ngx_http_upstream_least_conn_module.c: lowest in-flight/weight
// (cross-multiplied), ties broken by smooth WRR among the tied peers only.
describe('least_conn', () => {
  it.each<{ name: string; weights: Record<string, number>; inFlight: Record<string, number>; expected: string }>([
    { name: 'fewest in flight wins', weights: { a: 1, b: 1, c: 1 }, inFlight: { a: 2, b: 0, c: 1 }, expected: 'b' },
    { name: 'weight divides the load', weights: { a: 3, b: 1 }, inFlight: { a: 2, b: 1 }, expected: 'a' }, // 2/3 < 1/1
    { name: 'weight divides the load (other side)', weights: { a: 3, b: 1 }, inFlight: { a: 4, b: 1 }, expected: 'b' }, // 4/3 > 1
    { name: 'weight divides the load of a later peer too', weights: { a: 1, b: 2 }, inFlight: { a: 1, b: 1 }, expected: 'b' }, // 1/2 < 1/1
    { name: 'equal ratios tie → smooth WRR among tied', weights: { a: 2, b: 1, c: 1 }, inFlight: { a: 2, b: 1, c: 5 }, expected: 'a' },
  ])('$name', ({ weights, inFlight, expected }) => {
    const group = makeGroup('least_conn', weighted(weights));
    for (const [id, n] of Object.entries(inFlight)) for (let i = 0; i < n; i++) group.acquire(id);
    expect(pickId(group, { now: 0 })).toBe(expected);
  });

  it('with no load the ties rotate exactly like smooth WRR (5,1,1 → a a b a c a a)', () => {
    const group = makeGroup('least_conn', weighted({ a: 5, b: 1, c: 1 }));
    expect(pickIds(group, 7).join('')).toBe('aabacaa');
  });

  it('tie-break uses only the tied peers: the loaded peer does not take part', () => {
    // a busy; b and c idle and tied → b, c, b, c (a never gains current_weight)
    const group = makeGroup('least_conn', weighted({ a: 1, b: 1, c: 1 }));
    group.acquire('a');
    expect(pickIds(group, 4).join('')).toBe('bcbc');
    group.release('a');
    expect(pickIds(group, 3).join('')).toBe('abc');
  });

  it('a lone winner is taken as is: only a tie runs smooth WRR (and its effective_weight recovery)', () => {
    const group = makeGroup('least_conn', weighted({ a: 4, b: 4 }, { maxFails: 2 }));
    fail(group, 'a', 0); // effective_weight 4 - 4/2 = 2
    group.acquire('b');
    expect(pickId(group, { now: 0 })).toBe('a'); // a alone has the least load
    const ew = () => group.snapshot(0).peers.map((p) => p.effectiveWeight);
    expect(ew()).toEqual([2, 4]);
    group.release('b');
    pickId(group, { now: 0 }); // a tie: smooth WRR over a and b raises a's effective_weight
    expect(ew()).toEqual([3, 4]);
  });

  it('fills peers up to equal load as requests stay in flight', () => {
    const group = makeGroup('least_conn', weighted({ a: 2, b: 1 }));
    const held = Array.from({ length: 6 }, () => {
      const id = pickId(group, { now: 0 });
      group.acquire(id);
      return id;
    });
    expect(held.filter((id) => id === 'a')).toHaveLength(4);
    expect(held.filter((id) => id === 'b')).toHaveLength(2);
  });
});
