/**
 * Samples a proxy every `intervalMs` while a window runs: open fds and RSS summed over its
 * processes, and how many sockets it still holds for the attacker's connections (by their
 * ports, from /proc/net/tcp), which its upstream pool and the load generator do not blur.
 */
import { fdTotal, memoryMb, socketsHeldFor } from '@fleet/bench-kit';

export interface Sample {
  atS: number;
  fds: number;
  rssMb: number;
  /** Proxy sockets whose peer is one of the attacker's connections. */
  held: number;
}

export interface Sampler {
  stop(): Sample[];
}

export function startSampler(pids: () => number[], attackerPorts: () => ReadonlySet<number>, intervalMs = 200): Sampler {
  const t0 = performance.now();
  const samples: Sample[] = [];
  const take = (): void => {
    const p = pids();
    if (p.length === 0) return;
    samples.push({ atS: (performance.now() - t0) / 1000, fds: fdTotal(p), rssMb: memoryMb(p).rssMb, held: socketsHeldFor(p, attackerPorts()) });
  };
  take();
  const timer = setInterval(take, intervalMs);
  return {
    stop: () => {
      clearInterval(timer);
      take();
      return samples;
    },
  };
}
