/** The settings of one `bench/run.ts` run, read from the environment once. */
import { envInt } from '@fleet/bench-kit';
import { selectTargets, type Target } from './targets.js';

export type ScenarioName = 'trivial' | 'predict';
export type Mode = 'pinned' | 'unpinned';

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

function list<T extends string>(raw: string | undefined, known: readonly T[], key: string): T[] {
  if (raw === undefined || raw.trim() === '') return [...known];
  const items = raw.split(',').map((s) => s.trim());
  for (const item of items) if (!known.includes(item as T)) throw new Error(`${key}: unknown ${JSON.stringify(item)}; known: ${known.join(', ')}`);
  return items as T[];
}

export function benchConfig(env: NodeJS.ProcessEnv): BenchConfig {
  const smoke = env.BENCH_SMOKE === '1';
  return {
    smoke,
    rounds: smoke ? 1 : envInt(env, 'BENCH_ROUNDS', 3),
    durationS: smoke ? 1 : envInt(env, 'BENCH_DURATION', 4),
    warmupS: smoke ? 1 : envInt(env, 'BENCH_WARMUP', 10),
    connections: envInt(env, 'BENCH_CONNECTIONS', 32),
    portBase: envInt(env, 'BENCH_PORT_BASE', 25400),
    scenarios: list(env.BENCH_SCENARIOS, ['trivial', 'predict'] as const, 'BENCH_SCENARIOS'),
    modes: list(env.BENCH_MODES, ['pinned', 'unpinned'] as const, 'BENCH_MODES'),
    targets: selectTargets(env),
  };
}
