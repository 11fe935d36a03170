import { describe, expect, it } from 'vitest';
import { makeGroup, peer, pickId, pickIds, succeed, weighted } from '../../test/helpers.js';

describe('least_time (Peak-EWMA × (in-flight + 1) / weight)', () => {
  it('prefers the fast peer', () => {
    const group = makeGroup('least_time', [peer('slow'), peer('fast')]);
    succeed(group, 'slow', 0, 100);
    succeed(group, 'fast', 0, 10);
    expect(pickIds(group, 5, { now: 1 })).toEqual(['fast', 'fast', 'fast', 'fast', 'fast']);
  });

  it('in-flight requests raise the score: 10 ms × 11 in flight loses to 100 ms idle', () => {
    const group = makeGroup('least_time', [peer('slow'), peer('fast')]);
    succeed(group, 'slow', 0, 100);
    succeed(group, 'fast', 0, 10);
    for (let i = 0; i < 10; i++) group.acquire('fast'); // 10 × (10 + 1) = 110 > 100
    expect(pickId(group, { now: 0 })).toBe('slow');
  });

  it('weight divides the score', () => {
    const group = makeGroup('least_time', weighted({ heavy: 4, light: 1 }));
    succeed(group, 'heavy', 0, 30); // 30 / 4 = 7.5
    succeed(group, 'light', 0, 10); // 10 / 1 = 10
    expect(pickId(group, { now: 0 })).toBe('heavy');
  });

  it('unmeasured peers are probed first, one at a time', () => {
    const group = makeGroup('least_time', [peer('known'), peer('new')]);
    succeed(group, 'known', 0, 10);
    expect(pickId(group, { now: 0 })).toBe('new');
    group.acquire('new'); // probe in flight: borrows 10 ms → 10 × 2 = 20 > 10
    expect(pickId(group, { now: 0 })).toBe('known');
  });

  it.each([
    // new borrows the lowest estimate (10): 10 × 2 = 20 > a's 10 → a
    { estimates: { a: 10, b: 40 }, inFlight: { a: 0, b: 0 }, expected: 'a' },
    // the lowest is still 10 (a's estimate, though a is busy): 10 × 2 = 20 < a's 30, b's 40 → new
    { estimates: { a: 10, b: 40 }, inFlight: { a: 2, b: 0 }, expected: 'new' },
    // the lowest found after a higher one: 10 × 2 = 20 > b's 10 → b
    { estimates: { a: 40, b: 10 }, inFlight: { a: 0, b: 0 }, expected: 'b' },
  ])('an unmeasured peer with a probe in flight borrows the lowest estimate of the tier ($estimates, in flight $inFlight)', ({ estimates, inFlight, expected }) => {
    const group = makeGroup('least_time', [peer('a'), peer('b'), peer('new')]);
    for (const [id, ms] of Object.entries(estimates)) succeed(group, id, 0, ms);
    for (const [id, n] of Object.entries({ ...inFlight, new: 1 })) for (let i = 0; i < n; i++) group.acquire(id);
    expect(pickId(group, { now: 0 })).toBe(expected);
  });

  it('a slow peer is re-probed once its idle estimate decays below the busy one (τ = 10 s)', () => {
    const group = makeGroup({ name: 'least_time', decayMs: 10_000 }, [peer('slow'), peer('fast')]);
    succeed(group, 'slow', 0, 100);
    succeed(group, 'fast', 0, 10);
    const slowPicks: number[] = [];
    for (let now = 100; now <= 60_000; now += 100) {
      const id = pickId(group, { now });
      if (id === 'slow') slowPicks.push(now);
      succeed(group, id, now, id === 'slow' ? 100 : 10);
    }
    // fast is sampled every 100 ms, so at a pick its estimate is 10 · e^(−0.01) ≈ 9.90.
    // slow: 100 · e^(−t/10000) < 9.90  ⇔  t > 10000 · ln(100 / 9.90) ≈ 23 126 ms → 23 200
    expect(slowPicks[0]).toBe(23_200);
    // the probe measured 100 ms again (peak): it waits another 23 126 ms → 46 400
    expect(slowPicks[1]).toBe(46_400);
    expect(slowPicks).toHaveLength(2);
  });

  it('a failure with a latency (timeout) raises the estimate; a fast failure does not lower it', () => {
    const group = makeGroup('least_time', [peer('a', { maxFails: 0 }), peer('b', { maxFails: 0 })]);
    succeed(group, 'a', 0, 10);
    succeed(group, 'b', 0, 20);
    group.report('a', { ok: false, now: 1, latencyMs: 5000 });
    expect(pickId(group, { now: 2 })).toBe('b');
    group.report('b', { ok: false, now: 3, latencyMs: 1 });
    const b = group.snapshot(3).peers.find((p) => p.id === 'b');
    expect(b?.ewmaLatencyMs).toBeGreaterThan(19);
  });
});
