/**
 * One measured run against a running stack: wrk for a fixed time while the CPU time of every
 * process of the stack is read from /proc before and after.
 */
import { cpuSeconds, runWrk, socketErrorTotal, type WrkRequest } from '@fleet/bench-kit';
import type { RunningStack } from './stacks.js';

export interface LoadSpec {
  /** `c1`, `c4`, `c32`, `c64`, `c32x8`: the row key of the tables. */
  id: string;
  /** `light` (c=1, c=4: what one user sees), `single` (saturation), `batch` (8 texts per request). */
  kind: 'light' | 'single' | 'batch';
  /** Seconds of the measured run. */
  durationS: number;
  connections: number;
  requests: readonly WrkRequest[];
  textsPerRequest: number;
}

export interface RunResult {
  id: string;
  rps: number;
  rowsPerS: number;
  p50Ms: number;
  p99Ms: number;
  requests: number;
  /** non-2xx + socket errors. */
  errors: number;
  /** CPU seconds of the stack's processes during the run. */
  cpuS: number;
  /** Requests per CPU-second of the stack. */
  reqPerCpuS: number;
  rowsPerCpuS: number;
  /** CPU seconds wrk itself used. */
  loadGenCpuS: number;
}

export interface LoadOptions {
  wrk: string;
  durationS: number;
  /** `taskset -c` list for wrk. */
  cpus?: string;
}

export async function measure(stack: RunningStack, load: LoadSpec, o: LoadOptions): Promise<RunResult> {
  const pids = stack.pids();
  const cpuBefore = cpuSeconds(pids);
  const r = await runWrk({ bin: o.wrk, url: stack.url, requests: load.requests, connections: load.connections, durationS: o.durationS, cpus: o.cpus });
  const cpuS = cpuSeconds(pids) - cpuBefore;
  return {
    id: load.id,
    rps: r.rps,
    rowsPerS: r.rps * load.textsPerRequest,
    p50Ms: r.p50Ms,
    p99Ms: r.p99Ms,
    requests: r.requests,
    errors: r.non2xx + socketErrorTotal(r),
    cpuS,
    reqPerCpuS: cpuS > 0 ? r.requests / cpuS : NaN,
    rowsPerCpuS: cpuS > 0 ? (r.requests * load.textsPerRequest) / cpuS : NaN,
    loadGenCpuS: r.loadGeneratorCpuS,
  };
}

/** Warm-up (JIT, pools, keep-alive): the same load, results dropped except their errors. */
export async function warmUp(stack: RunningStack, load: LoadSpec, o: LoadOptions): Promise<number> {
  const r = await runWrk({ bin: o.wrk, url: stack.url, requests: load.requests, connections: load.connections, durationS: o.durationS, cpus: o.cpus });
  return r.non2xx + socketErrorTotal(r);
}
