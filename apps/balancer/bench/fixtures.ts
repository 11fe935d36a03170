/** Test data for the bench's pure parts: wrk results and samples with only the fields a test cares about. */
import type { WrkResult } from '@fleet/bench-kit';
import type { Sample } from './samples.js';

export function wrkResult(over: Partial<Omit<WrkResult, 'socketErrors'>> & { socketErrors?: Partial<WrkResult['socketErrors']> } = {}): WrkResult {
  const { socketErrors, ...rest } = over;
  return {
    requests: 1000,
    durationS: 1,
    rps: 1000,
    p50Ms: 1,
    p90Ms: 2,
    p99Ms: 3,
    maxMs: 4,
    non2xx: 0,
    ...rest,
    socketErrors: { connect: 0, read: 0, write: 0, timeout: 0, ...socketErrors },
  };
}

export function sample(over: Partial<Sample> & Pick<Sample, 'target'>): Sample {
  return { mode: 'pinned', requests: 1000, cpuUs: 10, rps: 1000, p50Ms: 1, p99Ms: 3, failed: 0, ...over };
}
