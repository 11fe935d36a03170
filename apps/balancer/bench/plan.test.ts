import { describe, expect, it } from 'vitest';
import { connectionShare, placement, portPair, portsNeeded, warmupSeconds } from './plan.js';
import { TARGETS, type Target } from './targets.js';

const byKind = (kind: Target['kind']): Target => TARGETS.find((t) => t.kind === kind) as Target;

describe('placement', () => {
  it('pinned: proxies on CPU 0, backends and wrk on CPU 1', () => {
    expect(placement('pinned', 2)).toEqual({ proxies: '0', backends: '1', wrk: '1' });
  });
  it('unpinned: every CPU for everyone, wrk left alone', () => {
    expect(placement('unpinned', 2)).toEqual({ proxies: '0-1', backends: '0-1', wrk: undefined });
    expect(placement('unpinned', 8)).toEqual({ proxies: '0-7', backends: '0-7', wrk: undefined });
  });
});

describe('connectionShare', () => {
  it('splits the connections between the ports (direct to two replicas: c=16 each), at least one each', () => {
    expect(connectionShare(32, 1)).toBe(32);
    expect(connectionShare(32, 2)).toBe(16);
    expect(connectionShare(33, 2)).toBe(16);
    expect(connectionShare(1, 2)).toBe(1);
    expect(connectionShare(5, 0)).toBe(5);
  });
});

describe('warmupSeconds', () => {
  it('gives fleet the whole warm-up and direct and NGINX at most 3 s', () => {
    expect(warmupSeconds(byKind('fleet'), 10)).toBe(10);
    expect(warmupSeconds(byKind('nginx'), 10)).toBe(3);
    expect(warmupSeconds(byKind('direct'), 10)).toBe(3);
    expect(warmupSeconds(byKind('direct'), 2)).toBe(2);
    expect(warmupSeconds(byKind('fleet'), 0)).toBe(0);
  });
});

describe('ports', () => {
  it('gives each target its own listener and admin port', () => {
    const targets = TARGETS.slice(0, 3);
    const ports = [26100, 26101, 26102, 26103, 26104, 26105];
    expect(portsNeeded(targets)).toBe(6);
    expect(targets.map((_, i) => portPair(ports, i))).toEqual([[26100, 26101], [26102, 26103], [26104, 26105]]);
  });
  it('refuses to hand out a port it was not given', () => {
    expect(() => portPair([26100, 26101, 26102], 1)).toThrow(RangeError);
  });
});
