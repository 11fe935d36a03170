/**
 * The bench's tables (pure): medians over the interleaved rounds per target and mode, ratios to
 * NGINX and to direct measured in the same run, and issue 9's targets judged met / not met.
 */
import { fmt, markdownTable, median, ratio } from '@fleet/bench-kit';
import type { Mode } from './config.js';
import type { Sample } from './samples.js';
import type { Target } from './targets.js';

export interface Row {
  target: Target;
  mode: Mode;
  cpuUs: number;
  rps: number;
  p50Ms: number;
  p99Ms: number;
  /** Median p99 minus direct's median p99 (same mode). */
  p99AddedMs: number;
  /** CPU µs per request ÷ NGINX's (same mode). */
  xNginx: number;
  peakRssMb: number | undefined;
}

/** Issue 9's targets (the third, CPU × NGINX, depends on the scenario: `scenarios.ts`). */
export const PEAK_RSS_LIMIT_MB = 80;
export const P99_SLACK_MS = 1;

export function summarize(targets: readonly Target[], modes: readonly Mode[], samples: readonly Sample[], peakRss: ReadonlyMap<string, number>): Row[] {
  const med = (name: string | undefined, mode: Mode, f: (s: Sample) => number): number => median(samples.filter((s) => s.target === name && s.mode === mode).map(f));
  const direct = targets.find((t) => t.kind === 'direct')?.name;
  const nginx = targets.find((t) => t.kind === 'nginx')?.name;
  return modes.flatMap((mode) =>
    targets.map((target) => {
      const cpuUs = target.kind === 'direct' ? 0 : med(target.name, mode, (s) => s.cpuUs);
      const p99Ms = med(target.name, mode, (s) => s.p99Ms);
      return {
        target,
        mode,
        cpuUs,
        rps: med(target.name, mode, (s) => s.rps),
        p50Ms: med(target.name, mode, (s) => s.p50Ms),
        p99Ms,
        p99AddedMs: p99Ms - med(direct, mode, (s) => s.p99Ms),
        xNginx: target.kind === 'direct' ? NaN : ratio(cpuUs, med(nginx, mode, (s) => s.cpuUs)),
        peakRssMb: peakRss.get(target.name),
      };
    }),
  );
}

export function table(rows: readonly Row[]): string {
  const header = ['target', 'mode', 'CPU µs/req', '× NGINX', 'req/s', 'p50 ms', 'p99 ms', 'p99 added ms', 'peak RSS MB'];
  return markdownTable(
    header,
    rows.map((r) => [r.target.label, r.mode, fmt(r.cpuUs, 1), fmt(r.xNginx, 2), fmt(r.rps), fmt(r.p50Ms, 2), fmt(r.p99Ms, 2), r.target.kind === 'direct' ? '—' : fmt(r.p99AddedMs, 2), r.peakRssMb === undefined ? '—' : fmt(r.peakRssMb)]),
  );
}

/** One measured round as the bench prints it while it runs (the spread the medians hide). */
export function roundLine(round: number, s: Sample): string {
  return `round ${round + 1}, ${s.mode}, ${s.target}: ${fmt(s.cpuUs, 1)} µs/req, ${fmt(s.rps)} req/s, p99 ${fmt(s.p99Ms, 2)} ms`;
}

/** met (true), not met (false) or no data (undefined: a figure it needs is missing or not finite). */
export type Judgement = boolean | undefined;

/** CPU per request ≤ `cpuTarget` × NGINX's. */
export const cpuMet = (xNginx: number, cpuTarget: number): Judgement => (Number.isFinite(xNginx) ? xNginx <= cpuTarget : undefined);

/** p99 added over direct ≤ NGINX's p99 added + `P99_SLACK_MS`. */
export const p99Met = (addedMs: number, nginxAddedMs: number | undefined): Judgement =>
  nginxAddedMs === undefined || !Number.isFinite(addedMs) || !Number.isFinite(nginxAddedMs) ? undefined : addedMs <= nginxAddedMs + P99_SLACK_MS;

/** Peak RSS under load < `PEAK_RSS_LIMIT_MB` (strictly). */
export const rssMet = (peakRssMb: number | undefined): Judgement => (peakRssMb === undefined || !Number.isFinite(peakRssMb) ? undefined : peakRssMb < PEAK_RSS_LIMIT_MB);

export interface Verdict {
  row: Row;
  /** NGINX's row of the same mode, if NGINX ran. */
  nginx: Row | undefined;
  cpu: Judgement;
  p99: Judgement;
  rss: Judgement;
}

/** Issue 9's three targets for every fleet target and mode. */
export function judge(rows: readonly Row[], cpuTarget: number): Verdict[] {
  return rows
    .filter((r) => r.target.kind === 'fleet')
    .map((row) => {
      const nginx = rows.find((n) => n.target.kind === 'nginx' && n.mode === row.mode);
      return { row, nginx, cpu: cpuMet(row.xNginx, cpuTarget), p99: p99Met(row.p99AddedMs, nginx?.p99AddedMs), rss: rssMet(row.peakRssMb) };
    });
}

const mark = (ok: Judgement): string => (ok === undefined ? 'no data' : ok ? 'met' : 'not met');

/** One line per fleet target and mode: CPU × NGINX, p99 added vs NGINX's + 1 ms, peak RSS. */
export function verdicts(rows: readonly Row[], cpuTarget: number): string[] {
  return judge(rows, cpuTarget).map(({ row: r, nginx, cpu, p99, rss }) =>
    `${r.target.name} ${r.mode}: CPU ${fmt(r.xNginx, 2)}× NGINX (≤ ${cpuTarget}×) ${mark(cpu)}; p99 added ${fmt(r.p99AddedMs, 2)} ms (≤ NGINX's ${fmt(nginx?.p99AddedMs ?? NaN, 2)} + ${P99_SLACK_MS}) ${mark(p99)}; peak RSS ${fmt(r.peakRssMb ?? NaN)} MB (< ${PEAK_RSS_LIMIT_MB}) ${mark(rss)}`,
  );
}

/** What the run header says about the machine and the tools. */
export interface RunInfo {
  at: Date;
  cpuModel: string;
  cpuCount: number;
  loadAverage: readonly number[];
  node: string;
  /** `nginx -v`'s version, undefined when NGINX is not installed. */
  nginx: string | undefined;
  wrk: string;
}

/** The two lines printed before the tables. */
export function runHeader(info: RunInfo, cfg: { connections: number; rounds: number; durationS: number; warmupS: number }): string[] {
  return [
    `${info.at.toISOString()}, ${info.cpuModel} ×${info.cpuCount}, load average ${info.loadAverage.map((l) => l.toFixed(2)).join(' ')}, Node ${info.node}, ${info.nginx ?? 'no NGINX'}, ${info.wrk}`,
    `wrk -t1 -c${cfg.connections}; ${cfg.rounds} interleaved round(s) × ${cfg.durationS} s per target and mode after ${cfg.warmupS} s of warm-up (fleet); medians; pinned = proxy on CPU 0, wrk + backends on CPU 1`,
  ];
}
