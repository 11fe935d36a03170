import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { fail, makeGroup, peer, pickId, pickIds, succeed } from '../test/helpers.js';
import type { Group } from './index.js';

// Passive health as NGINX's round robin module: max_fails failures within fail_timeout
// take a peer out until fail_timeout has passed since the last failure; then exactly one
// probe request is let through; its success resets the counter.

const state = (group: Group, id: string, now: number) => group.snapshot(now).peers.find((p) => p.id === id);

describe('passive health (max_fails / fail_timeout)', () => {
  const table = [
    { name: 'max_fails=1: one failure takes it out', maxFails: 1, failures: 1, out: true },
    { name: 'max_fails=3: two failures keep it in', maxFails: 3, failures: 2, out: false },
    { name: 'max_fails=3: three failures take it out', maxFails: 3, failures: 3, out: true },
    { name: 'max_fails=0 disables accounting', maxFails: 0, failures: 50, out: false },
  ];
  it.each(table)('$name', ({ maxFails, failures, out }) => {
    const group = makeGroup('round_robin', [peer('a', { maxFails }), peer('b', { maxFails })]);
    for (let i = 0; i < failures; i++) fail(group, 'a', 1000);
    const ids = pickIds(group, 6, { now: 1000 });
    expect(ids.includes('a')).toBe(!out);
    expect(state(group, 'a', 1000)?.state).toBe(out ? 'failed' : 'up');
  });

  it('is out for exactly fail_timeout after the last failure, then one probe is allowed', () => {
    const group = makeGroup('round_robin', [peer('a'), peer('b')]);
    fail(group, 'a', 1000);
    // now - checked <= fail_timeout: out at 1000 and at 11000 (boundary included)
    expect(pickIds(group, 4, { now: 11_000 })).toEqual(['b', 'b', 'b', 'b']);
    // after the window: the first pick that reaches a is the probe; afterwards a is out again
    const after = pickIds(group, 6, { now: 11_001 });
    expect(after.filter((id) => id === 'a')).toHaveLength(1);
    expect(state(group, 'a', 11_001)?.state).toBe('failed');
  });

  it('a successful probe resets fails and brings the peer back', () => {
    const group = makeGroup('round_robin', [peer('a'), peer('b')]);
    fail(group, 'a', 0);
    const probe = pickIds(group, 2, { now: 10_001 });
    expect(probe).toContain('a');
    succeed(group, 'a', 10_002);
    expect(state(group, 'a', 10_002)?.fails).toBe(0);
    expect(pickIds(group, 4, { now: 10_003 }).filter((id) => id === 'a')).toHaveLength(2);
  });

  it('a failed probe opens a new window from the probe failure', () => {
    const group = makeGroup('round_robin', [peer('a'), peer('b')]);
    fail(group, 'a', 0);
    expect(pickIds(group, 2, { now: 10_001 })).toContain('a');
    fail(group, 'a', 10_500);
    expect(pickIds(group, 6, { now: 20_500 })).not.toContain('a');
    // effective_weight is 0 after the failure, so a wins its probe after a few rounds
    expect(pickIds(group, 6, { now: 20_501 }).filter((id) => id === 'a')).toHaveLength(1);
  });

  it('failures only count within the window: a success after the window resets them', () => {
    const group = makeGroup('round_robin', [peer('a', { maxFails: 2 }), peer('b', { maxFails: 2 })]);
    fail(group, 'a', 0);
    // A success inside the window does not reset (accessed == checked).
    succeed(group, 'a', 5000);
    expect(state(group, 'a', 5000)?.fails).toBe(1);
    // A pick after the window re-stamps `checked`; the next success resets fails.
    pickIds(group, 2, { now: 10_001 });
    succeed(group, 'a', 10_002);
    expect(state(group, 'a', 10_002)?.fails).toBe(0);
    fail(group, 'a', 10_003);
    expect(state(group, 'a', 10_003)?.state).toBe('up');
  });

  it('a success picked inside the window (even at its last ms) does not reset fails', () => {
    const group = makeGroup('round_robin', [peer('a', { maxFails: 2 }), peer('b', { maxFails: 2 })]);
    fail(group, 'a', 1000); // window: 1000..11000
    expect(pickIds(group, 2, { now: 11_000 })).toContain('a'); // 11000 - 1000 is not > fail_timeout: no re-stamp
    succeed(group, 'a', 11_000);
    expect(state(group, 'a', 11_000)?.fails).toBe(1);
    fail(group, 'a', 11_001); // the second failure in the window takes it out
    expect(state(group, 'a', 11_001)?.state).toBe('failed');
  });

  it('two failures within the window with no pick in between take a max_fails=2 peer out', () => {
    const group = makeGroup('round_robin', [peer('a', { maxFails: 2 }), peer('b', { maxFails: 2 })]);
    fail(group, 'a', 0);
    fail(group, 'a', 9000);
    expect(state(group, 'a', 9000)?.state).toBe('failed');
    expect(state(group, 'a', 9000)?.ejections).toBe(1);
    expect(pickIds(group, 4, { now: 19_000 })).not.toContain('a');
  });

  it('a single peer (no backups) is never taken out, as NGINX', () => {
    const group = makeGroup('round_robin', [peer('only')]);
    for (let i = 0; i < 10; i++) fail(group, 'only', 100);
    expect(pickId(group, { now: 100 })).toBe('only');
    expect(state(group, 'only', 100)).toMatchObject({ state: 'up', fails: 0, totalFails: 10 });
  });

  it('a single primary with a backup is taken out (NGINX single means one peer in total)', () => {
    const group = makeGroup('round_robin', [peer('a'), peer('spare', { backup: true })]);
    fail(group, 'a', 0);
    expect(pickId(group, { now: 1 })).toBe('spare');
  });

  it('recovery after all peers were down: every peer gets probed, selection never sticks', () => {
    const group = makeGroup('round_robin', [peer('a'), peer('b'), peer('c')]);
    for (const id of ['a', 'b', 'c']) fail(group, id, 0);
    const none = group.select({ now: 5000 });
    expect(none).toMatchObject({ ok: false, code: 'LB_NO_LIVE_UPSTREAM' });
    // After the window, a and b are still dead (their probes fail), c has recovered.
    const seen: string[] = [];
    for (let now = 10_001; now < 10_010; now++) {
      const result = group.select({ now });
      if (!result.ok) continue;
      seen.push(result.peer.id);
      if (result.peer.id === 'c') succeed(group, 'c', now);
      else fail(group, result.peer.id, now);
    }
    expect(new Set(seen.slice(0, 3))).toEqual(new Set(['a', 'b', 'c']));
    expect(seen.slice(3).every((id) => id === 'c')).toBe(true);
    expect(seen.length).toBeGreaterThan(3);
  });

  it('property: a failed peer is never picked inside its window while a live one exists', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 2, max: 6 }),
        fc.array(fc.tuple(fc.nat(5), fc.integer({ min: 0, max: 30_000 })), { maxLength: 20 }),
        fc.integer({ min: 0, max: 40_000 }),
        (n, failures, probeAt) => {
          const ids = Array.from({ length: n }, (_, i) => `p${i}`);
          const group = makeGroup('round_robin', ids.map((id) => peer(id)));
          const lastFail = new Map<string, number>();
          const sorted = [...failures].sort((x, y) => x[1] - y[1]).filter(([i]) => i < n);
          for (const [i, at] of sorted) {
            fail(group, ids[i]!, at);
            lastFail.set(ids[i]!, at);
          }
          const now = Math.max(probeAt, ...sorted.map(([, at]) => at));
          const inWindow = (id: string) => lastFail.has(id) && now - lastFail.get(id)! <= 10_000;
          const liveExists = ids.some((id) => !lastFail.has(id));
          for (let k = 0; k < n * 2; k++) {
            const result = group.select({ now });
            // Picks past the window are single probes; once used, only never-failed peers remain.
            if (!result.ok) expect(liveExists).toBe(false);
            else expect(inWindow(result.peer.id)).toBe(false);
          }
        },
      ),
    );
  });
});

describe('passive health bookkeeping (ejections, effective_weight)', () => {
  it('counts an ejection once, when the failures reach max_fails, not per failure', () => {
    const group = makeGroup('round_robin', [peer('a', { maxFails: 3 }), peer('b', { maxFails: 3 })]);
    fail(group, 'a', 0);
    fail(group, 'a', 1);
    expect(state(group, 'a', 1)).toMatchObject({ state: 'up', fails: 2, ejections: 0 });
    fail(group, 'a', 2);
    expect(state(group, 'a', 2)).toMatchObject({ state: 'failed', fails: 3, ejections: 1 });
    fail(group, 'a', 3); // a failure while out (a request picked before the ejection)
    expect(state(group, 'a', 3)).toMatchObject({ state: 'failed', fails: 4, ejections: 1 });
  });

  it('max_fails=0: failures lower no weight and eject nothing', () => {
    const group = makeGroup('round_robin', [peer('a', { weight: 3, maxFails: 0 }), peer('b', { maxFails: 0 })]);
    for (let i = 0; i < 3; i++) fail(group, 'a', i);
    expect(state(group, 'a', 3)).toMatchObject({ state: 'up', effectiveWeight: 3, ejections: 0, totalFails: 3 });
  });

  it('effective_weight drops by weight/max_fails per failure and stops at 0 (NGINX clamps it)', () => {
    const group = makeGroup('round_robin', [peer('a', { weight: 3, maxFails: 2 }), peer('b')]);
    fail(group, 'a', 0);
    expect(state(group, 'a', 0)?.effectiveWeight).toBe(2); // 3 - floor(3/2)
    fail(group, 'a', 1);
    fail(group, 'a', 2);
    fail(group, 'a', 3);
    expect(state(group, 'a', 3)?.effectiveWeight).toBe(0); // 2 - 1 - 1 - 1, clamped
  });
});

describe('reload of a surviving peer (setPeers with the same id)', () => {
  it('takes the new weight; effective_weight is capped by it, and a reduced one is kept', () => {
    const group = makeGroup('round_robin', [peer('a', { weight: 5 }), peer('b', { weight: 4, maxFails: 2 })]);
    fail(group, 'b', 0); // b: effective 4 - 2 = 2
    group.setPeers([peer('a', { weight: 2 }), peer('b', { weight: 4, maxFails: 2 })], 1);
    expect(group.snapshot(1).peers.map((p) => [p.weight, p.effectiveWeight])).toEqual([
      [2, 2],
      [4, 2],
    ]);
  });

  it('a peer whose `down` is cleared ramps up with slow_start; one that stays up does not', () => {
    const group = makeGroup('round_robin', [peer('a', { down: true, slowStartMs: 1000 }), peer('b', { slowStartMs: 1000 })]);
    group.setPeers([peer('a', { slowStartMs: 1000 }), peer('b', { slowStartMs: 1000 })], 100);
    expect(group.snapshot(600).peers.map((p) => p.slowStartFactor)).toEqual([0.5, 1]);
  });

  it('turning slow_start on by a reload does not ramp a peer that recovered before it', () => {
    const group = makeGroup('round_robin', [peer('a'), peer('b')]);
    fail(group, 'a', 0);
    expect(pickIds(group, 2, { now: 10_001 })).toContain('a'); // the probe
    succeed(group, 'a', 10_001); // recovered with slow_start off: no ramp
    group.setPeers([peer('a', { slowStartMs: 10_000 }), peer('b', { slowStartMs: 10_000 })], 10_002);
    expect(state(group, 'a', 10_002)?.slowStartFactor).toBe(1);
  });
});
