/**
 * The model-server bench's summary (pure): medians of each metric over the alternated rounds, the
 * table (one column per build), and issue 11's targets judged met / NOT met. `run.ts` measures and
 * prints; this file decides what the numbers say, and `summary.test.ts` holds it to that.
 */
export type Metrics = Record<string, number>;

/** Median (mean of the middle two for an even count); NaN when empty or when any value is NaN (a metric missing in a round). */
export function median(values: readonly number[]): number {
  if (values.length === 0 || values.some(Number.isNaN)) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? (sorted[mid] as number) : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2;
}

/** Each metric's median over the rounds of one build (a metric absent from a round counts as NaN). */
export function medianMetrics(rounds: readonly Metrics[]): Metrics {
  const keys = [...new Set(rounds.flatMap((r) => Object.keys(r)))];
  return Object.fromEntries(keys.map((k) => [k, median(rounds.map((r) => r[k] ?? Number.NaN))]));
}

/**
 * The order in which `builds` builds run in round `round` (0-based): as given in even rounds,
 * reversed in odd ones (A, B, then B, A, …), so that no build always runs first in a round.
 */
export function roundOrder(builds: number, round: number): number[] {
  const order = Array.from({ length: builds }, (_, i) => i);
  return round % 2 === 0 ? order : order.reverse();
}

/** What one short phase of the c=8 block loads: the bare-route floor or `/predict`. */
export type C8Phase = 'floor' | 'predict';

/**
 * The c=8 block: `pairs` pairs of one floor and one `/predict` phase, the order within a pair
 * alternating (floor, predict, predict, floor, …), so that a drift of the machine over the block
 * weighs on both routes alike instead of on whichever ran in its own phase minutes apart.
 */
export function c8Phases(pairs: number): C8Phase[] {
  return Array.from({ length: pairs }, (_, i): C8Phase[] => (i % 2 === 0 ? ['floor', 'predict'] : ['predict', 'floor'])).flat();
}

/**
 * One round's c=8 figures from the interleaved block: the median CPU per request of each route's
 * phases and their ratio (the ratio of the medians, both taken within the same block).
 */
export function c8Metrics(predictUs: readonly number[], floorUs: readonly number[]): Metrics {
  const predict = median(predictUs);
  const floor = median(floorUs);
  return { 'cpu c=8 (µs/req)': predict, 'floor cpu c=8 (µs/req)': floor, 'c=8 ÷ floor': predict / floor };
}

/** A table cell: two decimals under 10, none from 10 on, `n/a` when missing. */
export const cell = (v: number | undefined): string => (v === undefined || Number.isNaN(v) ? 'n/a' : v < 10 ? v.toFixed(2) : v.toFixed(0));

/** The Markdown table: one row per metric of the first build, one column per build. */
export function tableLines(builds: readonly string[], medians: readonly Metrics[], rounds: number): string[] {
  const keys = Object.keys(medians[0] ?? {});
  return [
    `\n| metric (median of ${rounds}) | ${builds.map((b, i) => (i === 0 ? 'this build' : b)).join(' | ')} |`,
    `| --- | ${builds.map(() => '---').join(' | ')} |`,
    ...keys.map((k) => `| ${k} | ${medians.map((m) => cell(m[k])).join(' | ')} |`),
  ];
}

export interface TargetLine {
  text: string;
  met: boolean;
}

/** Issue 11's targets for this build (`now`), and rows/s against the other build (`base`) when there is one. */
export function issue11Targets(now: Metrics, base: Metrics | undefined): TargetLine[] {
  const v = (k: string): number => now[k] ?? Number.NaN;
  const lines: TargetLine[] = [
    { text: `CPU per request c=2 ≤ 150 µs: ${v('cpu c=2 (µs/req)').toFixed(0)}`, met: v('cpu c=2 (µs/req)') <= 150 },
    { text: `CPU per request c=8 ≤ 100 µs: ${v('cpu c=8 (µs/req)').toFixed(0)}`, met: v('cpu c=8 (µs/req)') <= 100 },
    { text: `CPU per request c=64 ≤ 50 µs: ${v('cpu c=64 (µs/req)').toFixed(0)}`, met: v('cpu c=64 (µs/req)') <= 50 },
    // the median over rounds of each round's ratio, measured interleaved (c8Metrics)
    { text: `c=8 ≤ 1.5× the bare-route floor: ${v('c=8 ÷ floor').toFixed(2)}×`, met: v('c=8 ÷ floor') <= 1.5 },
    {
      text: `p50 c=1 ≤ floor p50 + 0.3 ms: ${v('p50 c=1 (ms)').toFixed(2)} vs ${v('floor p50 c=1 (ms)').toFixed(2)} ms`,
      met: v('p50 c=1 (ms)') <= v('floor p50 c=1 (ms)') + 0.3,
    },
    { text: `peak RSS ≤ 100 MB: ${v('peak RSS (MB)').toFixed(0)} MB`, met: v('peak RSS (MB)') <= 100 },
    { text: `one replica ready ≤ 0.8 s: ${v('start one (ms)').toFixed(0)} ms`, met: v('start one (ms)') <= 800 },
    { text: `three replicas all ready ≤ 1.5 s: ${v('start three (ms)').toFixed(0)} ms`, met: v('start three (ms)') <= 1500 },
  ];
  if (base) {
    const ratio = v('rows/s ×8 c=64') / (base['rows/s ×8 c=64'] ?? Number.NaN);
    lines.push({ text: `8 texts per request: rows/s not below the other build's: ${ratio.toFixed(2)}×`, met: ratio >= 1 });
  }
  return lines;
}

/** The printed block: a missing figure (NaN) is never met. */
export function targetLines(targets: readonly TargetLine[]): string[] {
  return ['\ntargets (issue 11):', ...targets.map(({ text, met }) => `  ${met ? 'met    ' : 'NOT met'}  ${text}`)];
}
