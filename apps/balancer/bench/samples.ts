/**
 * What one wrk run against a target yields (pure): the sample the tables are built from, and
 * what counts as failed. A run fails when any request got a status > 399 or a socket error, or
 * when no request completed at all (a target that never answers gives wrk nothing to count). The
 * bench exits 1 when any run failed, warm-ups included (`runOutcome`).
 */
import { socketErrorTotal, type WrkResult } from '@fleet/bench-kit';
import type { Mode } from './config.js';

export interface Sample {
  target: string;
  mode: Mode;
  /** Requests completed. */
  requests: number;
  /** Proxy CPU µs per request served (0 for direct); NaN when no request completed. */
  cpuUs: number;
  rps: number;
  p50Ms: number;
  p99Ms: number;
  /** Non-2xx answers plus socket errors. */
  failed: number;
}

/** Requests completed and failed in one run. */
export interface Tally {
  requests: number;
  failed: number;
}

export function tally(w: WrkResult): Tally {
  return { requests: w.requests, failed: w.non2xx + socketErrorTotal(w) };
}

/** CPU seconds spent by the proxy over the requests it served, in µs per request; NaN for none. */
export function cpuUsPerRequest(cpuS: number, requests: number): number {
  return requests > 0 ? (cpuS * 1e6) / requests : Number.NaN;
}

/** One measurement: `cpuS` is the proxy's CPU time (utime + stime, all its processes) during `w`. */
export function sampleOf(target: string, mode: Mode, cpuS: number, w: WrkResult): Sample {
  return { target, mode, cpuUs: cpuUsPerRequest(cpuS, w.requests), rps: w.rps, p50Ms: w.p50Ms, p99Ms: w.p99Ms, ...tally(w) };
}

/** What went wrong in one run (`where` names it), or undefined. */
export function failureOf(where: string, t: Tally): string | undefined {
  if (t.failed > 0) return `${where}: ${t.failed} failed requests`;
  if (t.requests === 0) return `${where}: no request completed`;
  return undefined;
}

/** The failures of one scenario's measured rounds, in the order they ran. */
export function sampleFailures(scenario: string, samples: readonly Sample[]): string[] {
  return samples.flatMap((x) => failureOf(`${scenario}, ${x.target} ${x.mode}`, x) ?? []);
}

export interface RunOutcome {
  exitCode: 0 | 1;
  /** For stderr when the run failed. */
  message?: string;
}

/** The whole run: exit 1 when any request failed anywhere. */
export function runOutcome(failures: readonly string[]): RunOutcome {
  if (failures.length === 0) return { exitCode: 0 };
  return { exitCode: 1, message: `requests failed during the bench:\n  ${failures.join('\n  ')}` };
}
