/** Where and how long each part of a bench run goes (pure): CPU placement, connections, warm-up, ports. */
import { allCpus } from '@fleet/bench-kit';
import type { Mode } from './config.js';
import type { Target } from './targets.js';

export interface Placement {
  /** `taskset` CPU list of the proxies' processes (every thread). */
  proxies: string;
  /** … of the backends and their children. */
  backends: string;
  /** `taskset -c` of wrk; undefined = not pinned. */
  wrk: string | undefined;
}

/** Pinned: proxies on CPU 0, wrk and the backends on CPU 1. Unpinned: everything on every CPU. */
export function placement(mode: Mode, cpuCount: number): Placement {
  if (mode === 'pinned') return { proxies: '0', backends: '1', wrk: '1' };
  const everywhere = allCpus(cpuCount);
  return { proxies: everywhere, backends: everywhere, wrk: undefined };
}

/** wrk connections per port when a target spreads over several (direct to two replicas), at least 1. */
export function connectionShare(connections: number, ports: number): number {
  return Math.max(1, Math.floor(connections / Math.max(1, ports)));
}

/** Warm-up seconds of a target: fleet gets all of `warmupS` (JIT, pools); direct and NGINX at most 3 s. */
export function warmupSeconds(target: Target, warmupS: number): number {
  return target.kind === 'fleet' ? warmupS : Math.min(warmupS, 3);
}

/** Free ports the targets need: a listener and an admin port each. */
export const portsNeeded = (targets: readonly Target[]): number => 2 * targets.length;

/** Listener and admin port of the `i`-th target out of `ports` (`freePortsInRange(portsNeeded(…))`). */
export function portPair(ports: readonly number[], i: number): [number, number] {
  const pair = [ports[2 * i], ports[2 * i + 1]];
  if (pair[0] === undefined || pair[1] === undefined) throw new RangeError(`no ports for target ${i}: ${ports.length} ports given`);
  return [pair[0], pair[1]];
}
