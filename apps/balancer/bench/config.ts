/**
 * The settings of one `bench/run.ts` run, read from the environment once. Every bad value is a
 * `BENCH_BAD_ENV` error (`@fleet/bench-kit`) whose message names the variable; every variable is
 * checked even when `BENCH_SMOKE=1` overrides it.
 */
import { envFlag, envInt, envList } from '@fleet/bench-kit';
import { selectTargets, type Target } from './targets.js';

export const SCENARIO_NAMES = ['trivial', 'predict'] as const;
export type ScenarioName = (typeof SCENARIO_NAMES)[number];
export const MODES = ['pinned', 'unpinned'] as const;
export type Mode = (typeof MODES)[number];

export interface BenchConfig {
  smoke: boolean;
  /** Interleaved rounds per mode (every target once per round). */
  rounds: number;
  durationS: number;
  /** Warm-up per fleet target, unmeasured (direct and NGINX get at most 3 s). */
  warmupS: number;
  connections: number;
  portBase: number;
  scenarios: ScenarioName[];
  modes: Mode[];
  targets: Target[];
}

/** NGINX and fleet listen on free ports in `[portBase, portBase + PORT_SPAN - 1]`. */
export const PORT_SPAN = 200;

export function benchConfig(env: NodeJS.ProcessEnv): BenchConfig {
  const smoke = envFlag(env, 'BENCH_SMOKE');
  const rounds = envInt(env, 'BENCH_ROUNDS', 3, { min: 1, max: 100 });
  const durationS = envInt(env, 'BENCH_DURATION', 4, { min: 1, max: 600 });
  const warmupS = envInt(env, 'BENCH_WARMUP', 10, { max: 600 });
  return {
    smoke,
    rounds: smoke ? 1 : rounds,
    durationS: smoke ? 1 : durationS,
    warmupS: smoke ? 1 : warmupS,
    connections: envInt(env, 'BENCH_CONNECTIONS', 32, { min: 1, max: 10_000 }),
    portBase: envInt(env, 'BENCH_PORT_BASE', 25400, { min: 1024, max: 65536 - PORT_SPAN }),
    scenarios: envList(env, 'BENCH_SCENARIOS', SCENARIO_NAMES),
    modes: envList(env, 'BENCH_MODES', MODES),
    targets: selectTargets(env),
  };
}
