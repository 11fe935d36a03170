/**
 * One measurement: wrk against a target for a fixed time while the proxy's CPU time (utime +
 * stime of every thread, from /proc) is read before and after. Direct sends to every backend at
 * once (the connections split between them) and is read as one run (`combineWrk`). The
 * arithmetic is in `samples.ts` and `plan.ts`; this file is the I/O around it.
 */
import { availableParallelism } from 'node:os';
import { combineWrk, cpuSeconds, pinProcesses, runWrk, type WrkRequest, type WrkResult } from '@fleet/bench-kit';
import type { Mode } from './config.js';
import { connectionShare, placement } from './plan.js';
import { sampleOf, tally, type Sample, type Tally } from './samples.js';
import type { Running } from './stack.js';

export type { Sample } from './samples.js';

export interface Load {
  wrk: string;
  requests: readonly WrkRequest[];
  connections: number;
}

/** Pins proxies and backends for `mode` (`plan.ts`); returns wrk's CPU list (undefined = unpinned). */
export function placeProcesses(mode: Mode, proxies: readonly number[], backends: readonly number[]): string | undefined {
  const p = placement(mode, availableParallelism());
  pinProcesses(proxies, p.proxies);
  pinProcesses(backends, p.backends);
  return p.wrk;
}

async function wrkAll(r: Running, load: Load, durationS: number, wrkCpus: string | undefined): Promise<WrkResult> {
  const share = connectionShare(load.connections, r.ports.length);
  const runs = r.ports.map((port) => runWrk({ bin: load.wrk, url: `http://127.0.0.1:${port}`, requests: load.requests, connections: share, durationS, ...(wrkCpus === undefined ? {} : { cpus: wrkCpus }) }));
  return combineWrk(await Promise.all(runs));
}

export async function measure(r: Running, load: Load, durationS: number, mode: Mode, wrkCpus: string | undefined): Promise<Sample> {
  const pids = r.pids();
  const before = cpuSeconds(pids);
  const w = await wrkAll(r, load, durationS, wrkCpus);
  return sampleOf(r.target.name, mode, cpuSeconds(pids) - before, w);
}

/** Unmeasured load (JIT, pools, keep-alive); returns what completed and what failed. */
export async function warmUp(r: Running, load: Load, durationS: number): Promise<Tally> {
  return tally(await wrkAll(r, load, durationS, undefined));
}
