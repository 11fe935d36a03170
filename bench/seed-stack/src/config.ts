/** `pnpm bench:stack` settings, read from the environment once. */
import { availableParallelism } from 'node:os';
import { envInt as int } from '@fleet/bench-kit';

export interface BenchConfig {
  smoke: boolean;
  rounds: number;
  warmupS: number;
  durationS: number;
  /** First port of the range the stacks use (200 ports from here). */
  portBase: number;
  /** `taskset -c` CPUs for wrk; '' = not pinned. */
  wrkCpus: string;
  /** Also measure the seed with NGINX `worker_processes auto`. */
  nginxAuto: boolean;
}

export function benchConfig(env: NodeJS.ProcessEnv = process.env): BenchConfig {
  const smoke = env.BENCH_SMOKE === '1';
  const lastCpu = String(availableParallelism() - 1);
  return {
    smoke,
    rounds: int(env, 'BENCH_ROUNDS', smoke ? 1 : 2),
    warmupS: int(env, 'BENCH_WARMUP', smoke ? 2 : 10),
    durationS: int(env, 'BENCH_DURATION', smoke ? 3 : 12),
    portBase: int(env, 'BENCH_PORT_BASE', 24000),
    wrkCpus: env.BENCH_WRK_CPUS ?? lastCpu,
    nginxAuto: env.BENCH_NGINX_AUTO !== '0',
  };
}
