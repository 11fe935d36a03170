/**
 * The bench's tables (pure): medians over the interleaved rounds per target and mode, ratios to
 * NGINX and to direct measured in the same run, and issue 9's targets marked met / not met.
 */
import { fmt, markdownTable, median, ratio } from '@fleet/bench-kit';
import type { Mode } from './config.js';
import type { Sample } from './measure.js';
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

/** Issue 9's targets. */
export const PEAK_RSS_LIMIT_MB = 80;
export const P99_SLACK_MS = 1;

export function summarize(targets: readonly Target[], modes: readonly Mode[], samples: readonly Sample[], peakRss: ReadonlyMap<string, number>): Row[] {
  const med = (name: string, mode: Mode, f: (s: Sample) => number): number => median(samples.filter((s) => s.target === name && s.mode === mode).map(f));
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
        p99AddedMs: p99Ms - med('direct', mode, (s) => s.p99Ms),
        xNginx: target.kind === 'direct' ? NaN : ratio(cpuUs, med('nginx', mode, (s) => s.cpuUs)),
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

const mark = (ok: boolean | undefined): string => (ok === undefined ? 'no data' : ok ? 'met' : 'not met');

/** One line per fleet target and mode: CPU × NGINX, p99 added vs NGINX's + 1 ms, peak RSS. */
export function verdicts(rows: readonly Row[], cpuTarget: number): string[] {
  return rows
    .filter((r) => r.target.kind === 'fleet')
    .map((r) => {
      const nginx = rows.find((n) => n.target.kind === 'nginx' && n.mode === r.mode);
      const cpuOk = Number.isFinite(r.xNginx) ? r.xNginx <= cpuTarget : undefined;
      const p99Ok = nginx === undefined || !Number.isFinite(r.p99AddedMs) ? undefined : r.p99AddedMs <= nginx.p99AddedMs + P99_SLACK_MS;
      const rssOk = r.peakRssMb === undefined ? undefined : r.peakRssMb < PEAK_RSS_LIMIT_MB;
      return `${r.target.name} ${r.mode}: CPU ${fmt(r.xNginx, 2)}× NGINX (≤ ${cpuTarget}×) ${mark(cpuOk)}; p99 added ${fmt(r.p99AddedMs, 2)} ms (≤ NGINX's ${fmt(nginx?.p99AddedMs ?? NaN, 2)} + ${P99_SLACK_MS}) ${mark(p99Ok)}; peak RSS ${fmt(r.peakRssMb ?? NaN)} MB (< ${PEAK_RSS_LIMIT_MB}) ${mark(rssOk)}`;
    });
}
