import { describe, expect, it } from 'vitest';
import { countBy, fail, makeGroup, peer, pickIds, succeed } from '../test/helpers.js';
import { SLOW_START_MIN_FACTOR, slowStartFactor } from './slow-start.js';

describe('slowStartFactor', () => {
  it.each([
    [0, 0, 0, 1], // off
    [10_000, undefined, 5, 1], // never recovered
    [10_000, 0, 0, SLOW_START_MIN_FACTOR],
    [10_000, 0, 500, SLOW_START_MIN_FACTOR],
    [10_000, 0, 2500, 0.25],
    [10_000, 0, 5000, 0.5],
    [10_000, 0, 9999, 0.9999],
    [10_000, 0, 10_000, 1],
    [10_000, 0, 25_000, 1], // long after the ramp: never above the nominal weight
    [0, 100, 50, 1], // off, even for a clock that reads before the recovery
    [10_000, 100, 50, SLOW_START_MIN_FACTOR], // a clock before the recovery: the floor
  ])('slowStart=%d since=%s now=%d → %d', (ms, since, now, expected) => {
    expect(slowStartFactor(ms, since, now)).toBeCloseTo(expected, 9);
  });
});

describe('slow_start in a group', () => {
  const recovering = () => {
    const group = makeGroup('round_robin', [peer('a', { slowStartMs: 10_000 }), peer('b', { slowStartMs: 10_000 })]);
    fail(group, 'a', 0);
    expect(pickIds(group, 2, { now: 10_001 })).toContain('a'); // probe
    succeed(group, 'a', 10_001); // recovered: the ramp starts here
    return group;
  };

  it('a recovered peer gets a share that grows linearly with time', () => {
    const group = recovering();
    const shareAt = (now: number) => (countBy(pickIds(group, 200, { now })).a ?? 0) / 200;
    const early = shareAt(10_001 + 2500); // weight 0.25 vs 1 → 20%
    const mid = shareAt(10_001 + 5000); // 0.5 vs 1 → 33%
    const done = shareAt(10_001 + 10_000); // 1 vs 1 → 50%
    expect(early).toBeCloseTo(0.2, 1);
    expect(mid).toBeCloseTo(1 / 3, 1);
    expect(done).toBe(0.5);
    expect(group.snapshot(10_001 + 5000).peers[0]?.slowStartFactor).toBeCloseTo(0.5, 9);
  });

  it('least_conn divides the load by the ramped weight', () => {
    const group = makeGroup('least_conn', [peer('a', { slowStartMs: 1000 })]);
    group.setPeers([peer('a', { slowStartMs: 1000 }), peer('b', { slowStartMs: 1000 })], 0);
    group.acquire('a');
    group.acquire('b');
    // at 500: a 1 / 1 = 1, b 1 / 0.5 = 2 → a; once b's ramp is over they tie and smooth WRR decides
    expect(pickIds(group, 1, { now: 500 })).toEqual(['a']);
  });

  it('a peer added by setPeers ramps up; the initial peers do not', () => {
    const group = makeGroup('least_conn', [peer('a', { slowStartMs: 1000 })]);
    expect(group.snapshot(0).peers[0]?.slowStartFactor).toBe(1);
    group.setPeers([peer('a', { slowStartMs: 1000 }), peer('b', { slowStartMs: 1000 })], 0);
    expect(group.snapshot(500).peers[1]?.slowStartFactor).toBeCloseTo(0.5, 9);
    expect(countBy(pickIds(group, 30, { now: 500 })).b).toBe(10); // weight 1 vs 0.5
  });
});

describe('what starts a slow_start ramp', () => {
  it.each([
    { name: 'max_fails=2, one failure', maxFails: 2 },
    { name: 'max_fails=0 (accounting off)', maxFails: 0 },
  ])('a success that resets fails without an ejection starts none ($name)', ({ maxFails }) => {
    const group = makeGroup('round_robin', [peer('a', { maxFails, slowStartMs: 10_000 }), peer('b', { maxFails, slowStartMs: 10_000 })]);
    fail(group, 'a', 0); // still in: fails < max_fails (or not counted)
    expect(pickIds(group, 2, { now: 10_001 })).toContain('a'); // a pick after fail_timeout re-stamps `checked`
    succeed(group, 'a', 10_002); // … so this success resets fails
    expect(group.snapshot(10_002).peers[0]).toMatchObject({ fails: 0, slowStartFactor: 1 });
  });

  it('active health: the flip to healthy starts the ramp; later passes and the flip to unhealthy do not', () => {
    const activeHealth = { enabled: true, passes: 1, fails: 1 };
    const group = makeGroup('round_robin', [peer('a', { slowStartMs: 1000 }), peer('b', { slowStartMs: 1000 })], { activeHealth });
    const factor = (now: number) => group.snapshot(now).peers[0]?.slowStartFactor;
    expect(group.observeHealthCheck('a', true, 0)).toBe(true); // unchecked → healthy
    expect(factor(0)).toBe(SLOW_START_MIN_FACTOR);
    expect(group.observeHealthCheck('a', true, 500)).toBe(false); // still healthy: the ramp goes on
    expect(factor(500)).toBeCloseTo(0.5, 9);
    expect(group.observeHealthCheck('a', false, 2000)).toBe(true); // healthy → unhealthy
    expect(factor(2000)).toBe(1);
    expect(group.observeHealthCheck('a', true, 3000)).toBe(true); // unhealthy → healthy: a new ramp
    expect(factor(3000)).toBe(SLOW_START_MIN_FACTOR);
  });
});
