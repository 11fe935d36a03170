/** `pnpm chaos` settings, read from the environment once. */
import { availableParallelism } from 'node:os';
import { envInt as int, envList as list } from '@fleet/bench-kit';

export const SYSTEMS = ['fleet', 'nginx'] as const;
export type SystemName = (typeof SYSTEMS)[number];

export const FAULTS = ['baseline', 'kill9', 'sigstop', 'http503', 'reload', 'idle', 'slowloris', 'graceful-stop'] as const;
export type FaultName = (typeof FAULTS)[number];

export interface ChaosConfig {
  smoke: boolean;
  /** Steady load: wrk connections for every fault. */
  concurrency: number;
  /** kill -9 is also run at these concurrencies (the c=16 and c=64). */
  killConcurrencies: number[];
  /** SIGSTOP length, seconds. */
  pauseS: number;
  /** Fault windows (load running), seconds; the idle window is longer (header timeout + 7 s). */
  windowS: number;
  warmupS: number;
  /** Client header timeout of both proxies, seconds. */
  headerTimeoutS: number;
  idleConnections: number;
  stalledUploads: number;
  /** Assumed per-try timeout for the SIGSTOP target (fleet has none configurable yet), ms. */
  perTryTimeoutMs: number;
  faults: FaultName[];
  systems: SystemName[];
  portBase: number;
  wrkCpus: string;
}

export function chaosConfig(env: NodeJS.ProcessEnv = process.env): ChaosConfig {
  const smoke = env.CHAOS_SMOKE === '1';
  return {
    smoke,
    concurrency: int(env, 'CHAOS_CONCURRENCY', 16),
    killConcurrencies: smoke ? [16] : [16, 64],
    pauseS: int(env, 'CHAOS_PAUSE', smoke ? 2 : 5),
    windowS: int(env, 'CHAOS_WINDOW', smoke ? 3 : 10),
    warmupS: int(env, 'CHAOS_WARMUP', smoke ? 1 : 3),
    headerTimeoutS: int(env, 'CHAOS_HEADER_TIMEOUT', smoke ? 2 : 10),
    idleConnections: 100,
    stalledUploads: 200,
    perTryTimeoutMs: int(env, 'CHAOS_PER_TRY_TIMEOUT_MS', 1000),
    faults: list(env, 'CHAOS_FAULTS', FAULTS),
    systems: list(env, 'CHAOS_SYSTEMS', SYSTEMS),
    portBase: int(env, 'CHAOS_PORT_BASE', 24200),
    wrkCpus: env.CHAOS_WRK_CPUS ?? String(availableParallelism() - 1),
  };
}
