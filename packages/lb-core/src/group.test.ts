import { describe, expect, it } from 'vitest';
import { countBy, fail, makeGroup, peer, pickId, pickIds, succeed, weighted } from '../test/helpers.js';
import { LB_CONFIG_ERROR_CODES, LB_ERROR_CODES, type SelectResult } from './index.js';

const ids = (results: SelectResult[]) => results.map((r) => (r.ok ? r.peer.id : r.code));

describe('tiers: primary and backup', () => {
  it('backups take no traffic while any primary is usable', () => {
    const group = makeGroup('round_robin', [peer('a'), peer('b'), peer('z', { backup: true })]);
    fail(group, 'a', 0);
    expect(pickIds(group, 6, { now: 1 })).toEqual(['b', 'b', 'b', 'b', 'b', 'b']);
  });

  it('backups serve when every primary is unavailable, with the same strategy', () => {
    const group = makeGroup('round_robin', [
      peer('a'),
      peer('b', { down: true }),
      ...weighted({ y: 2, z: 1 }, { backup: true }),
    ]);
    fail(group, 'a', 0);
    expect(pickIds(group, 3, { now: 1 }).join('')).toBe('yzy');
    const picked = group.select({ now: 1 });
    expect(picked.ok && picked.peer.backup).toBe(true);
  });

  it('traffic returns to the primaries once one recovers', () => {
    const group = makeGroup('round_robin', [peer('a'), peer('z', { backup: true })]);
    fail(group, 'a', 0);
    expect(pickId(group, { now: 1 })).toBe('z');
    expect(pickId(group, { now: 10_001 })).toBe('a'); // probe
    succeed(group, 'a', 10_002);
    expect(pickIds(group, 3, { now: 10_003 })).toEqual(['a', 'a', 'a']);
  });

  it('an empty primary tier draws nothing: a backups-only random group uses every draw for its backups', () => {
    const draws = [0, 0.9, 0.9, 0];
    const group = makeGroup('random', weighted({ y: 1, z: 1 }, { backup: true }), { random: () => draws.shift() ?? 0 });
    expect(pickIds(group, 2).join('')).toBe('yz');
    expect(draws).toEqual([0.9, 0]);
  });

  it('primaries at max_conns count as unavailable: the backup serves', () => {
    const group = makeGroup('round_robin', [peer('a', { maxConns: 1 }), peer('z', { backup: true })]);
    group.acquire('a');
    expect(pickId(group, { now: 0 })).toBe('z');
  });
});

describe('operator state and limits', () => {
  it('down peers are never picked', () => {
    const group = makeGroup('round_robin', [peer('a', { down: true }), peer('b')]);
    expect(pickIds(group, 4)).toEqual(['b', 'b', 'b', 'b']);
    expect(group.snapshot(0).peers[0]?.state).toBe('down');
  });

  it('drain stops new picks, keeps counters, and undrain restores it', () => {
    const group = makeGroup('round_robin', [peer('a'), peer('b')]);
    group.acquire('a');
    expect(group.setDrain('a', true)).toBe(true);
    expect(pickIds(group, 4)).toEqual(['b', 'b', 'b', 'b']);
    expect(group.snapshot(0).peers[0]).toMatchObject({ state: 'draining', inFlight: 1 });
    group.release('a');
    expect(group.setDrain('a', false)).toBe(true);
    expect(pickIds(group, 4)).toContain('a');
    expect(group.setDrain('nope', true)).toBe(false);
  });

  it('max_conns caps in-flight requests; all peers full → LB_ALL_AT_MAX_CONNS', () => {
    const group = makeGroup('round_robin', [peer('a', { maxConns: 2 }), peer('b', { maxConns: 1 })]);
    const held: string[] = [];
    for (let i = 0; i < 3; i++) {
      const id = pickId(group, { now: 0 });
      group.acquire(id);
      held.push(id);
    }
    expect(countBy(held)).toEqual({ a: 2, b: 1 });
    expect(group.select({ now: 0 })).toMatchObject({ ok: false, code: LB_ERROR_CODES.ALL_AT_MAX_CONNS });
    group.release('b');
    expect(pickId(group, { now: 0 })).toBe('b');
  });

  it('an empty group answers LB_NO_PEERS; all dead answers LB_NO_LIVE_UPSTREAM', () => {
    expect(makeGroup('round_robin', []).select({ now: 0 })).toMatchObject({ ok: false, code: 'LB_NO_PEERS' });
    const dead = makeGroup('round_robin', [peer('a', { down: true })]);
    const result = dead.select({ now: 0 });
    expect(result).toMatchObject({ ok: false, code: 'LB_NO_LIVE_UPSTREAM' });
    expect(!result.ok && result.message).toContain('1 down');
  });

  it('rejects invalid peers with a stable code', () => {
    expect(() => makeGroup('round_robin', [peer('a', { weight: 0 })])).toThrow(
      expect.objectContaining({ code: LB_CONFIG_ERROR_CODES.INVALID_PEER }),
    );
    expect(() => makeGroup('round_robin', [peer('a'), peer('a')])).toThrow(
      expect.objectContaining({ code: LB_CONFIG_ERROR_CODES.DUPLICATE_PEER }),
    );
  });
});

describe('candidates(): the retry walk', () => {
  it('yields distinct peers in strategy order up to the cap', () => {
    const group = makeGroup('round_robin', [peer('a'), peer('b'), peer('c')]);
    expect(ids([...group.candidates({ now: 0 }, 2)])).toEqual(['a', 'b']);
  });

  it('0 tries means as many tries as there are peers', () => {
    const group = makeGroup('round_robin', [peer('a'), peer('b'), peer('c')]);
    expect(ids([...group.candidates({ now: 0 }, 0)])).toEqual(['a', 'b', 'c']);
  });

  it('a cap above the peer count ends with LB_ALL_TRIED', () => {
    const group = makeGroup('round_robin', [peer('a'), peer('b')]);
    expect(ids([...group.candidates({ now: 0 }, 5)])).toEqual(['a', 'b', 'LB_ALL_TRIED']);
  });

  it('honours ctx.tried and sees failures reported between picks', () => {
    const group = makeGroup('round_robin', [peer('a'), peer('b'), peer('c'), peer('z', { backup: true })]);
    const walk = group.candidates({ now: 0, tried: new Set(['a']) }, 5);
    const first = walk.next().value as SelectResult;
    expect(first.ok && first.peer.id).toBe('b');
    fail(group, 'c', 0); // c dies while b is being tried
    fail(group, 'b', 0);
    expect(ids([...walk])).toEqual(['z', 'LB_ALL_TRIED']);
  });

  it('judges each later pick at the given clock: a fail window ending mid-walk frees its peer', () => {
    const group = makeGroup('round_robin', [peer('a', { failTimeoutMs: 100 }), peer('b')]);
    fail(group, 'a', 0);
    let clock = 1;
    const walk = group.candidates({ now: clock }, 2, () => clock);
    const first = walk.next().value as SelectResult;
    expect(first.ok && first.peer.id).toBe('b');
    clock = 101; // a's fail_timeout has passed while b was being tried
    expect(ids([...walk])).toEqual(['a']);
  });

  it('makes the first pick at ctx.now even with a clock; only later picks read the clock', () => {
    // a (weight 10, max_fails 3) is out until 10000 with effective_weight 1: picked at 20000 it
    // would tie with b and win as the first on ties; at ctx.now = 5000 it is still out.
    const group = makeGroup('round_robin', [peer('a', { weight: 10, maxFails: 3 }), peer('b')]);
    for (const at of [0, 0, 0]) fail(group, 'a', at);
    expect(ids([...group.candidates({ now: 5000 }, 2, () => 20_000)])).toEqual(['b', 'a']);
  });
});

describe('setPeers', () => {
  it('surviving ids keep state and counters; new ids start fresh; removed ones vanish', () => {
    const group = makeGroup('round_robin', [peer('a'), peer('b')]);
    fail(group, 'a', 0);
    pickIds(group, 3, { now: 1 });
    group.setPeers([peer('a'), peer('c')], 2);
    const snap = group.snapshot(2).peers;
    expect(snap.map((p) => p.id)).toEqual(['a', 'c']);
    expect(snap[0]).toMatchObject({ state: 'failed', fails: 1, totalFails: 1 });
    expect(snap[1]).toMatchObject({ state: 'up', requests: 0 });
    expect(pickIds(group, 3, { now: 3 })).toEqual(['c', 'c', 'c']);
  });

  it('a walk in progress continues on the new set without re-picking tried peers', () => {
    const group = makeGroup('round_robin', [peer('a'), peer('b')]);
    const walk = group.candidates({ now: 0 }, 3);
    const first = walk.next().value as SelectResult;
    expect(first.ok && first.peer.id).toBe('a');
    group.setPeers([peer('a'), peer('c')], 0);
    expect(ids([...walk])).toEqual(['c', 'LB_ALL_TRIED']);
  });

  it('in-flight counts of a removed peer survive its removal and return', () => {
    const group = makeGroup('least_conn', [peer('a'), peer('b')]);
    group.acquire('a');
    group.setPeers([peer('b')], 0);
    group.release('a'); // must not throw or go negative anywhere
    group.acquire('b');
    group.setPeers([peer('a'), peer('b')], 0);
    expect(group.snapshot(0).peers.map((p) => p.inFlight)).toEqual([0, 1]);
    expect(pickId(group, { now: 0 })).toBe('a');
  });

  it('a removed peer that comes back while busy keeps its in-flight count', () => {
    const group = makeGroup('least_conn', [peer('a'), peer('b')]);
    group.acquire('a');
    group.setPeers([peer('b')], 0);
    group.setPeers([peer('a'), peer('b')], 0);
    expect(group.snapshot(0).peers[0]?.inFlight).toBe(1);
    expect(pickId(group, { now: 0 })).toBe('b');
  });

  it("counts a removed peer's requests down one release at a time, and forgets it after the last", () => {
    const group = makeGroup('least_conn', [peer('a'), peer('b')]);
    group.acquire('a');
    group.acquire('a');
    group.setPeers([peer('b')], 0);
    group.release('a'); // one of its two requests ends while it is gone
    group.setPeers([peer('a'), peer('b')], 0);
    expect(group.snapshot(0).peers[0]?.inFlight).toBe(1);
    group.setPeers([peer('b')], 0);
    group.release('a'); // the last one: nothing is kept
    group.setPeers([peer('a'), peer('b')], 0);
    expect(group.snapshot(0).peers[0]?.inFlight).toBe(0);
  });

  it('a peer removed with nothing in flight (or after its last release) comes back fresh', () => {
    const group = makeGroup('round_robin', [peer('a'), peer('b'), peer('c')]);
    fail(group, 'a', 0); // a: failed, 1 failure
    group.acquire('b');
    pickIds(group, 2, { now: 1 });
    group.report('b', { ok: false, now: 1 }); // b: failed, still in flight
    group.setPeers([peer('c')], 2);
    group.release('b'); // b's last request ends while it is removed
    group.setPeers([peer('a'), peer('b'), peer('c')], 3);
    expect(group.snapshot(3).peers.map((p) => [p.state, p.totalFails, p.requests])).toEqual([
      ['up', 0, 0],
      ['up', 0, 0],
      ['up', 0, 1], // c stayed: it keeps its counters
    ]);
  });

  it('a failure reported for a removed peer counts against it, even if one peer is left', () => {
    const group = makeGroup('round_robin', [peer('a'), peer('b')]);
    group.acquire('a');
    group.setPeers([peer('b')], 0); // b alone: NGINX `single`, its failures are not counted
    group.report('a', { ok: false, now: 1 }); // … but a is not that single peer
    group.setPeers([peer('a'), peer('b')], 2);
    expect(group.snapshot(2).peers[0]).toMatchObject({ state: 'failed', fails: 1, inFlight: 1 });
  });
});

describe('acquire / release', () => {
  it('a release without an acquire (or an unknown id) never drives the count below zero', () => {
    const group = makeGroup('least_conn', [peer('a'), peer('b')]);
    group.release('a');
    group.release('nope');
    group.acquire('a');
    expect(group.snapshot(0).peers.map((p) => p.inFlight)).toEqual([1, 0]);
    expect(pickId(group, { now: 0 })).toBe('b');
  });
});
