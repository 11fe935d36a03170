/**
 * One measurement: wrk against a target for a fixed time while the proxy's CPU time (utime +
 * stime of every thread, from /proc) is read before and after. Direct sends to every backend at
 * once (the connections split between them) and is read as one run (`combineWrk`).
 */
import { availableParallelism } from 'node:os';
import { allCpus, combineWrk, cpuSeconds, pinProcesses, runWrk, socketErrorTotal, type WrkRequest, type WrkResult } from '@fleet/bench-kit';
import type { Mode } from './config.js';
import type { Running } from './stack.js';

export interface Sample {
  target: string;
  mode: Mode;
  /** Proxy CPU µs per request served (0 for direct). */
  cpuUs: number;
  rps: number;
  p50Ms: number;
  p99Ms: number;
  /** Non-2xx answers plus socket errors. */
  failed: number;
}

export interface Load {
  wrk: string;
  requests: readonly WrkRequest[];
  connections: number;
}

/** Where each side runs: pinned = proxies on CPU 0, wrk and the backends on CPU 1. */
export function placeProcesses(mode: Mode, proxies: readonly number[], backends: readonly number[]): string | undefined {
  const everywhere = allCpus(availableParallelism());
  pinProcesses(proxies, mode === 'pinned' ? '0' : everywhere);
  pinProcesses(backends, mode === 'pinned' ? '1' : everywhere);
  return mode === 'pinned' ? '1' : undefined;
}

async function wrkAll(r: Running, load: Load, durationS: number, wrkCpus: string | undefined): Promise<WrkResult> {
  const share = Math.max(1, Math.floor(load.connections / r.ports.length));
  const runs = r.ports.map((port) => runWrk({ bin: load.wrk, url: `http://127.0.0.1:${port}`, requests: load.requests, connections: share, durationS, ...(wrkCpus === undefined ? {} : { cpus: wrkCpus }) }));
  return combineWrk(await Promise.all(runs));
}

export async function measure(r: Running, load: Load, durationS: number, mode: Mode, wrkCpus: string | undefined): Promise<Sample> {
  const pids = r.pids();
  const before = cpuSeconds(pids);
  const w = await wrkAll(r, load, durationS, wrkCpus);
  const cpu = cpuSeconds(pids) - before;
  return {
    target: r.target.name,
    mode,
    cpuUs: w.requests > 0 ? (cpu * 1e6) / w.requests : Number.NaN,
    rps: w.rps,
    p50Ms: w.p50Ms,
    p99Ms: w.p99Ms,
    failed: w.non2xx + socketErrorTotal(w),
  };
}

/** Unmeasured load (JIT, pools, keep-alive); returns the failed requests it saw. */
export async function warmUp(r: Running, load: Load, durationS: number): Promise<number> {
  const w = await wrkAll(r, load, durationS, undefined);
  return w.non2xx + socketErrorTotal(w);
}
