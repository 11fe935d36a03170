import { describe, expect, it } from 'vitest';
import type { WrkResult } from '@fleet/bench-kit';
import { failed, resources, targetResults, type RunRecord } from './analysis.js';

const load = (over: Partial<WrkResult> = {}): WrkResult => ({
  requests: 1000,
  durationS: 5,
  rps: 200,
  p50Ms: 5,
  p90Ms: 8,
  p99Ms: 20,
  maxMs: 40,
  non2xx: 0,
  socketErrors: { connect: 0, read: 0, write: 0, timeout: 0 },
  ...over,
});

const samples = (points: [number, number, number, number][]) => points.map(([atS, fds, rssMb, held]) => ({ atS, fds, rssMb, held }));

describe('resources', () => {
  it('takes the baseline before the fault, the peaks after it, and when the attack sockets were all released', () => {
    const r = resources(samples([[0, 40, 100, 0], [0.5, 42, 101, 0], [1.2, 140, 150, 100], [2, 141, 180, 100], [3, 55, 120, 0], [4, 41, 118, 0]]), 1);
    expect(r).toMatchObject({ baseFds: 41, peakFds: 141, endFds: 41, peakHeld: 100, endHeld: 0, baseRssMb: 100.5, peakRssMb: 180, rssGrowthMb: 79.5 });
    expect(r?.releasedAfterS).toBe(2); // the first sample holding none after the peak, minus the fault time; the fds (55) need not be at baseline
  });

  it('says "still held" when the proxy keeps any of them to the end of the window', () => {
    const r = resources(samples([[0, 20, 1, 0], [1, 120, 1, 100], [9, 21, 1, 1]]), 1);
    expect(r?.releasedAfterS).toBeUndefined();
    expect(r?.endHeld).toBe(1);
  });

  it('has nothing to say without samples on both sides of the fault', () => {
    expect(resources(samples([[2, 1, 1, 0]]), 1)).toBeUndefined();
  });
});

describe('targetResults', () => {
  const ctx = { headerTimeoutS: 10, perTryTimeoutMs: 1000 };
  const rec = (fault: RunRecord['fault'], system: RunRecord['system'], over: Partial<RunRecord> = {}, c = 16): RunRecord => ({ fault, system, concurrency: c, load: load(), ...over });

  it('counts non-2xx and socket errors as failed requests for kill -9, per concurrency', () => {
    const records = [
      rec('kill9', 'fleet', { load: load({ non2xx: 3, socketErrors: { connect: 0, read: 2, write: 0, timeout: 0 } }) }),
      rec('kill9', 'nginx'),
      rec('kill9', 'fleet', {}, 64),
    ];
    expect(failed(records[0] as RunRecord)).toBe(5);
    const t = targetResults(records, ctx);
    expect(t.map((x) => [x.target, x.fleet, x.nginx, x.met])).toEqual([
      ['kill -9 of a replica at c=16: 0 failed requests', '5 failed', '0 failed', false],
      ['kill -9 of a replica at c=64: 0 failed requests', '0 failed', '—', true],
    ]);
  });

  it('bounds the SIGSTOP p99 by the normal p99 plus the per-try timeout', () => {
    const ok = targetResults([rec('baseline', 'fleet'), rec('sigstop', 'fleet', { load: load({ p99Ms: 1019 }) })], ctx)[0];
    expect(ok?.met).toBe(true);
    const slow = targetResults([rec('baseline', 'fleet'), rec('sigstop', 'fleet', { load: load({ p99Ms: 5000 }) }), rec('sigstop', 'nginx', { load: load({ p99Ms: 5001 }) })], ctx)[0];
    expect(slow).toMatchObject({ met: false, fleet: '0 failed, p99 5000 ms', nginx: '0 failed, p99 5001 ms' });
    expect(targetResults([rec('sigstop', 'fleet')], ctx)[0]?.met).toBeUndefined(); // no baseline run: not measured
  });

  it('checks fds after idle connections and RSS growth under stalled uploads', () => {
    const res = (releasedAfterS: number | undefined, rssGrowthMb: number) => ({ baseFds: 20, peakFds: 120, endFds: 20, peakHeld: 100, endHeld: releasedAfterS === undefined ? 100 : 0, releasedAfterS, baseRssMb: 80, peakRssMb: 80 + rssGrowthMb, rssGrowthMb });
    const t = targetResults([rec('idle', 'fleet', { resources: res(undefined, 0) }), rec('idle', 'nginx', { resources: res(10.4, 0) }), rec('slowloris', 'fleet', { resources: res(0, 204) }), rec('slowloris', 'nginx', { resources: res(0, 4) })], ctx);
    expect(t.map((x) => [x.fleet, x.nginx, x.met])).toEqual([
      ['100 of 100 still held at the end', 'all released after 10.4 s', false],
      ['+204 MB', '+4 MB', false],
    ]);
  });
});
