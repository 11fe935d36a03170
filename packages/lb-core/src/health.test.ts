import { describe, expect, it } from 'vitest';
import { ActiveHealth } from './health.js';
import { fail, makeGroup, peer, pickIds } from '../test/helpers.js';

type Step = [ok: boolean, status: string, flipped: boolean];

describe('ActiveHealth state machine', () => {
  it.each<{ name: string; passes: number; fails: number; steps: Step[] }>([
    {
      name: 'new peer becomes healthy on its first pass',
      passes: 3,
      fails: 2,
      steps: [[true, 'healthy', true], [true, 'healthy', false]],
    },
    {
      name: 'unchecked → unhealthy after `fails` failures',
      passes: 1,
      fails: 2,
      steps: [[false, 'unchecked', false], [false, 'unhealthy', true]],
    },
    {
      name: 'healthy → unhealthy after `fails` consecutive failures; a pass resets the count',
      passes: 1,
      fails: 2,
      steps: [
        [true, 'healthy', true],
        [false, 'healthy', false],
        [true, 'healthy', false],
        [false, 'healthy', false],
        [false, 'unhealthy', true],
      ],
    },
    {
      name: 'unhealthy → healthy after `passes` consecutive passes',
      passes: 2,
      fails: 1,
      steps: [
        [true, 'healthy', true],
        [false, 'unhealthy', true],
        [true, 'unhealthy', false],
        [false, 'unhealthy', false],
        [true, 'unhealthy', false],
        [true, 'healthy', true],
      ],
    },
  ])('$name', ({ passes, fails, steps }) => {
    const health = new ActiveHealth();
    steps.forEach(([ok, status, flipped], i) => {
      expect(health.observe(ok, i, { passes, fails })).toBe(flipped);
      expect(health.status).toBe(status);
    });
    expect(health.snapshot()).toMatchObject({ checks: steps.length, lastCheckAt: steps.length - 1 });
  });
});

describe('active health in a group', () => {
  const activeHealth = { enabled: true, passes: 2, fails: 2 };

  it('a new peer takes no traffic until its first passing check', () => {
    const group = makeGroup('round_robin', [peer('a'), peer('b')], { activeHealth });
    expect(group.select({ now: 0 })).toMatchObject({ ok: false, code: 'LB_NO_LIVE_UPSTREAM' });
    expect(group.observeHealthCheck('a', true, 0)).toBe(true);
    expect(pickIds(group, 3)).toEqual(['a', 'a', 'a']);
    expect(group.snapshot(0).peers.map((p) => p.state)).toEqual(['up', 'unchecked']);
    group.setPeers([peer('a'), peer('b'), peer('c')], 1);
    group.observeHealthCheck('b', true, 1);
    expect(pickIds(group, 4, { now: 1 })).not.toContain('c');
  });

  it('unhealthy peers are skipped; state stays apart from passive failures and drain', () => {
    const group = makeGroup('round_robin', [peer('a'), peer('b')], { activeHealth });
    for (const id of ['a', 'b']) group.observeHealthCheck(id, true, 0);
    group.observeHealthCheck('a', false, 1);
    expect(group.observeHealthCheck('a', false, 2)).toBe(true);
    expect(pickIds(group, 3, { now: 2 })).toEqual(['b', 'b', 'b']);
    // a passing probe does not clear a passive ejection, nor drain
    fail(group, 'b', 3);
    group.setDrain('a', true);
    group.observeHealthCheck('a', true, 4);
    group.observeHealthCheck('a', true, 5);
    expect(group.snapshot(5).peers.map((p) => [p.state, p.health.status])).toEqual([
      ['draining', 'healthy'],
      ['failed', 'healthy'],
    ]);
    expect(group.select({ now: 5 })).toMatchObject({ ok: false, code: 'LB_NO_LIVE_UPSTREAM' });
    group.setDrain('a', false);
    expect(pickIds(group, 2, { now: 5 })).toEqual(['a', 'a']);
  });

  it('a single unhealthy peer is taken out (active checks apply even to a single peer)', () => {
    const group = makeGroup('round_robin', [peer('only')], { activeHealth: { enabled: true, passes: 1, fails: 1 } });
    group.observeHealthCheck('only', true, 0);
    group.observeHealthCheck('only', false, 1);
    expect(group.select({ now: 1 })).toMatchObject({ ok: false, code: 'LB_NO_LIVE_UPSTREAM' });
  });

  it('checks are ignored for selection when active health is disabled', () => {
    const group = makeGroup('round_robin', [peer('a'), peer('b')]);
    group.observeHealthCheck('a', false, 0);
    expect(pickIds(group, 2)).toEqual(['a', 'b']);
    expect(group.observeHealthCheck('nope', true, 0)).toBe(false);
  });
});
