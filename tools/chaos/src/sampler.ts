/** Samples a proxy's open fds and RSS (summed over its processes) every `intervalMs` while a window runs. */
import { fdTotal, memoryMb } from '@fleet/bench-kit';

export interface Sample {
  atS: number;
  fds: number;
  rssMb: number;
}

export interface Sampler {
  stop(): Sample[];
}

export function startSampler(pids: () => number[], intervalMs = 200): Sampler {
  const t0 = performance.now();
  const samples: Sample[] = [];
  const take = (): void => {
    const p = pids();
    if (p.length === 0) return;
    samples.push({ atS: (performance.now() - t0) / 1000, fds: fdTotal(p), rssMb: memoryMb(p).rssMb });
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
