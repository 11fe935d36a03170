import { describe, expect, it } from 'vitest';
import { wrkResult } from './fixtures.js';
import { cpuUsPerRequest, failureOf, runOutcome, sampleFailures, sampleOf, tally } from './samples.js';

describe('sampleOf', () => {
  it('turns the proxy CPU seconds of a run into µs per request served and keeps wrk figures', () => {
    const w = wrkResult({ requests: 40_000, rps: 10_000, p50Ms: 1.5, p99Ms: 7.25 });
    expect(sampleOf('fleet', 'unpinned', 2, w)).toEqual({ target: 'fleet', mode: 'unpinned', requests: 40_000, cpuUs: 50, rps: 10_000, p50Ms: 1.5, p99Ms: 7.25, failed: 0 });
  });

  it('has no CPU per request when no request completed (NaN, not Infinity or 0)', () => {
    expect(cpuUsPerRequest(0.5, 0)).toBeNaN();
    expect(cpuUsPerRequest(0, 10)).toBe(0);
  });
});

describe('tally', () => {
  it('counts non-2xx answers and every class of socket error as failed', () => {
    expect(tally(wrkResult())).toEqual({ requests: 1000, failed: 0 });
    expect(tally(wrkResult({ non2xx: 3 })).failed).toBe(3);
    for (const cls of ['connect', 'read', 'write', 'timeout'] as const) expect(tally(wrkResult({ socketErrors: { [cls]: 2 } })).failed).toBe(2);
    expect(tally(wrkResult({ non2xx: 1, socketErrors: { connect: 1, read: 1, write: 1, timeout: 1 } })).failed).toBe(5);
  });
});

describe('failures and the exit code', () => {
  it('names the run that had failed requests, or none completed', () => {
    expect(failureOf('trivial, fleet, warm-up', { requests: 10, failed: 0 })).toBeUndefined();
    expect(failureOf('trivial, fleet, warm-up', { requests: 10, failed: 2 })).toBe('trivial, fleet, warm-up: 2 failed requests');
    expect(failureOf('trivial, fleet pinned', { requests: 0, failed: 0 })).toBe('trivial, fleet pinned: no request completed');
  });

  it('exits 0 when every request of every round succeeded', () => {
    const samples = ['direct', 'nginx', 'fleet'].map((t) => sampleOf(t, 'pinned', 0.1, wrkResult()));
    expect(sampleFailures('trivial', samples)).toEqual([]);
    expect(runOutcome(sampleFailures('trivial', samples))).toEqual({ exitCode: 0 });
  });

  it('exits 1 when one round had one failed request, and says where', () => {
    const samples = [
      sampleOf('direct', 'pinned', 0, wrkResult()),
      sampleOf('fleet', 'pinned', 0.1, wrkResult({ non2xx: 1 })),
      sampleOf('fleet', 'unpinned', 0.1, wrkResult({ socketErrors: { read: 1 } })),
    ];
    const failures = sampleFailures('predict', samples);
    expect(failures).toEqual(['predict, fleet pinned: 1 failed requests', 'predict, fleet unpinned: 1 failed requests']);
    expect(runOutcome(failures)).toEqual({ exitCode: 1, message: 'requests failed during the bench:\n  predict, fleet pinned: 1 failed requests\n  predict, fleet unpinned: 1 failed requests' });
  });

  it('exits 1 when a round completed no request at all', () => {
    const failures = sampleFailures('trivial', [sampleOf('fleet', 'pinned', 0.01, wrkResult({ requests: 0, rps: 0 }))]);
    expect(runOutcome(failures).exitCode).toBe(1);
  });

  it('exits 1 on a warm-up failure alone', () => {
    const failure = failureOf('trivial, nginx, warm-up', tally(wrkResult({ socketErrors: { connect: 4 } })));
    expect(failure).toBe('trivial, nginx, warm-up: 4 failed requests');
    expect(runOutcome([failure as string]).exitCode).toBe(1);
  });
});
