/** `pnpm bench:stack` settings, read from the environment once. */
import { availableParallelism } from 'node:os';
import { envInt as int } from '@fleet/bench-kit';

export interface BenchConfig {
  smoke: boolean;
  rounds: number;
  warmupS: number;
  durationS: number;
  /** Seconds of each light-load run (c=1, c=4). */
  lightDurationS: number;
  /** First port of the range the stacks use (200 ports from here). */
  portBase: number;
  /** `taskset -c` CPUs for wrk; '' = not pinned. */
  wrkCpus: string;
  /** Also measure the seed with NGINX `worker_processes auto`. */
  nginxAuto: boolean;
  /**
   * Another fleet checkout, built (`BENCH_FLEET_BASE`): its stack runs as `fleet-base` in the
   * same interleaved rounds, so a change is measured against its base in one run.
   */
  fleetBase?: string;
}

export function benchConfig(env: NodeJS.ProcessEnv = process.env): BenchConfig {
  const smoke = env.BENCH_SMOKE === '1';
  const lastCpu = String(availableParallelism() - 1);
  return {
    smoke,
    rounds: int(env, 'BENCH_ROUNDS', smoke ? 1 : 2),
    warmupS: int(env, 'BENCH_WARMUP', smoke ? 2 : 10),
    durationS: int(env, 'BENCH_DURATION', smoke ? 3 : 12),
    lightDurationS: int(env, 'BENCH_LIGHT_DURATION', smoke ? 2 : 8),
    portBase: int(env, 'BENCH_PORT_BASE', 24000),
    wrkCpus: env.BENCH_WRK_CPUS ?? lastCpu,
    nginxAuto: env.BENCH_NGINX_AUTO !== '0',
    ...(env.BENCH_FLEET_BASE ? { fleetBase: env.BENCH_FLEET_BASE } : {}),
  };
}

/**
 * Seconds of load the run will apply (start-ups and shutdowns not counted): per stack and
 * round, the warm-up (the c=64 mix for `warmupS`, the batched bodies for a third of it) and
 * every measured run. Printed before the run starts, so its length is known up front.
 */
export function plannedLoadSeconds(cfg: BenchConfig, stacks: number, runSeconds: readonly number[]): number {
  const warm = cfg.warmupS + Math.max(1, Math.round(cfg.warmupS / 3));
  return cfg.rounds * stacks * (warm + runSeconds.reduce((a, b) => a + b, 0));
}
