/**
 * Pure: rounds of measurements → medians per system and load, ratios fleet/seed, the issue's
 * targets as met / not met, and the Markdown tables `pnpm bench:stack` prints.
 */
import { fmt, markdownTable, median, ratio } from '@fleet/bench-kit';
import type { RunResult } from './measure.js';
import type { SystemName } from './stacks.js';

export interface StackRound {
  system: SystemName;
  startToReadyMs: number;
  /** Sum over the stack's processes of VmHWM, at the end of the round. */
  peakRssMb: number;
  runs: RunResult[];
  /** Failed requests during the warm-up (counted by totalErrors, not in the tables). */
  warmupErrors?: number;
}

export type RunMedians = Omit<RunResult, 'id'> & { id: string; rounds: number };

export interface SystemSummary {
  system: SystemName;
  startToReadyMs: number;
  peakRssMb: number;
  runs: RunMedians[];
}

const RUN_KEYS = ['rps', 'rowsPerS', 'p50Ms', 'p99Ms', 'requests', 'errors', 'cpuS', 'reqPerCpuS', 'rowsPerCpuS', 'loadGenCpuS'] as const;

function runMedians(id: string, runs: readonly RunResult[]): RunMedians {
  const out = { id, rounds: runs.length } as RunMedians;
  for (const key of RUN_KEYS) out[key] = median(runs.map((r) => r[key]));
  out.errors = runs.reduce((sum, r) => sum + r.errors, 0); // errors are summed, not a median
  return out;
}

export function summarize(rounds: readonly StackRound[]): SystemSummary[] {
  const systems = [...new Set(rounds.map((r) => r.system))];
  return systems.map((system) => {
    const mine = rounds.filter((r) => r.system === system);
    const ids = [...new Set(mine.flatMap((r) => r.runs.map((run) => run.id)))];
    return {
      system,
      startToReadyMs: median(mine.map((r) => r.startToReadyMs)),
      peakRssMb: median(mine.map((r) => r.peakRssMb)),
      runs: ids.map((id) => runMedians(id, mine.flatMap((r) => r.runs.filter((run) => run.id === id)))),
    };
  });
}

export interface Target {
  name: string;
  /** fleet's value ÷ the seed's, per seed variant; NaN when a side is missing. */
  ratios: Partial<Record<SystemName, number>>;
  /** Whether the ratio satisfies the target. */
  met: (ratio: number) => boolean;
  goal: string;
}

const run = (s: SystemSummary | undefined, id: string): RunMedians | undefined => s?.runs.find((r) => r.id === id);

/** Microseconds of the whole stack's CPU per request. */
const cpuUsPerRequest = (r: RunMedians | undefined): number => (r === undefined ? NaN : 1e6 / r.reqPerCpuS);

function ratioOf(fleet: SystemSummary | undefined, seed: SystemSummary | undefined, pick: (s: SystemSummary) => number | undefined): number {
  return fleet && seed ? ratio(pick(fleet) ?? NaN, pick(seed) ?? NaN) : NaN;
}

/**
 * The targets for the whole stack (issue 10); at light load (`lightIds`: c=1, c=4)
 * fleet must not be slower for one user nor cost more CPU per request than the seed.
 */
export function targets(summaries: readonly SystemSummary[], singleIds: readonly string[], batchId: string, lightIds: readonly string[] = []): Target[] {
  const fleet = summaries.find((s) => s.system === 'fleet');
  const seeds = summaries.filter((s) => s.system !== 'fleet');
  const make = (name: string, goal: string, met: (r: number) => boolean, pick: (s: SystemSummary) => number | undefined): Target => ({
    name,
    goal,
    met,
    ratios: Object.fromEntries(seeds.map((seed) => [seed.system, ratioOf(fleet, seed, pick)])),
  });
  return [
    ...lightIds.flatMap((id) => [
      make(`p50, ${id}`, '< 1×', (r) => r < 1, (s) => run(s, id)?.p50Ms),
      make(`p99, ${id}`, '< 1×', (r) => r < 1, (s) => run(s, id)?.p99Ms),
      make(`CPU per request, ${id}`, '≤ 1×', (r) => r <= 1, (s) => cpuUsPerRequest(run(s, id))),
    ]),
    ...singleIds.map((id) => make(`req/s per CPU-second, ${id}`, '≥ 2×', (r) => r >= 2, (s) => run(s, id)?.reqPerCpuS)),
    ...singleIds.flatMap((id) => [
      make(`p50, ${id}`, '< 1×', (r) => r < 1, (s) => run(s, id)?.p50Ms),
      make(`p99, ${id}`, '< 1×', (r) => r < 1, (s) => run(s, id)?.p99Ms),
    ]),
    make('peak RSS (sum of processes)', '≤ 1.2× (stretch 1×)', (r) => r <= 1.2, (s) => s.peakRssMb),
    make('start to all-ready', '≤ 1×', (r) => r <= 1, (s) => s.startToReadyMs),
    make(`rows per CPU-second, ${batchId}`, '≥ 5×', (r) => r >= 5, (s) => run(s, batchId)?.rowsPerCpuS),
  ];
}

const LABEL: Record<SystemName, string> = { seed: 'seed (NGINX 1 worker)', 'seed-auto': 'seed (NGINX auto)', fleet: 'fleet', 'fleet-base': 'fleet (base build)' };

export function runsTable(summaries: readonly SystemSummary[]): string {
  const ids = [...new Set(summaries.flatMap((s) => s.runs.map((r) => r.id)))];
  const rows = ids.flatMap((id) =>
    summaries.flatMap((s) => {
      const r = run(s, id);
      return r
        ? [[id, LABEL[s.system], fmt(r.rps), fmt(r.rowsPerS), fmt(r.p50Ms, 2), fmt(r.p99Ms, 2), fmt(r.errors), fmt(r.cpuS, 1), fmt(r.reqPerCpuS), fmt(cpuUsPerRequest(r)), fmt(r.rowsPerCpuS), fmt(r.loadGenCpuS, 1)]]
        : [];
    }),
  );
  const head = ['load', 'system', 'req/s', 'rows/s', 'p50 ms', 'p99 ms', 'errors', 'stack CPU-s', 'req per CPU-s', 'CPU µs per req', 'rows per CPU-s', 'wrk CPU-s'];
  return markdownTable(head, rows);
}

export function stacksTable(summaries: readonly SystemSummary[]): string {
  return markdownTable(
    ['system', 'start → all ready ms', 'peak RSS MB (sum)'],
    summaries.map((s) => [LABEL[s.system], fmt(s.startToReadyMs), fmt(s.peakRssMb)]),
  );
}

export function targetsTable(list: readonly Target[], seeds: readonly SystemName[]): string {
  const verdict = (t: Target, seed: SystemName): string => {
    const r = t.ratios[seed] ?? NaN;
    if (!Number.isFinite(r)) return '—';
    // Against the base build the ratio is the change's effect; the targets are against the seed.
    return seed === 'fleet-base' ? `${fmt(r, 2)}×` : `${fmt(r, 2)}× ${t.met(r) ? 'met' : 'not met'}`;
  };
  return markdownTable(
    ['target (fleet ÷ seed)', 'goal', ...seeds.map((s) => `vs ${LABEL[s]}`)],
    list.map((t) => [t.name, t.goal, ...seeds.map((s) => verdict(t, s))]),
  );
}

/** Every error counted in any run (the smoke mode fails on any). */
export function totalErrors(rounds: readonly StackRound[]): number {
  return rounds.reduce((sum, r) => sum + (r.warmupErrors ?? 0) + r.runs.reduce((s, run) => s + run.errors, 0), 0);
}
