/**
 * Pure: what the samples of a window say (fds and RSS before, at the peak, at the end, and when
 * the fds came back) and which of the targets the runs meet.
 */
import { median, socketErrorTotal, type WrkResult } from '@fleet/bench-kit';
import type { FaultName, SystemName } from './config.js';
import type { Sample } from './sampler.js';

/** The bound on the balancer's RSS growth under 200 stalled 1 MB uploads. */
export const STALLED_RSS_BUDGET_MB = 32;

export interface Resources {
  baseFds: number;
  peakFds: number;
  endFds: number;
  /** Most / last proxy sockets held for the attacker's connections. */
  peakHeld: number;
  endHeld: number;
  /**
   * Seconds from the fault until the proxy held none of the attacker's connections any more
   * (its fds for them back to zero); undefined = still held at the end of the window.
   */
  releasedAfterS: number | undefined;
  baseRssMb: number;
  peakRssMb: number;
  rssGrowthMb: number;
}

export function resources(samples: readonly Sample[], faultAtS: number): Resources | undefined {
  const before = samples.filter((s) => s.atS < faultAtS);
  const after = samples.filter((s) => s.atS >= faultAtS);
  if (before.length === 0 || after.length === 0) return undefined;
  const baseFds = median(before.map((s) => s.fds));
  const baseRssMb = median(before.map((s) => s.rssMb));
  const peakHeld = Math.max(...after.map((s) => s.held));
  const peakAt = after.findIndex((s) => s.held === peakHeld);
  const released = peakHeld === 0 ? undefined : after.slice(peakAt).find((s) => s.held === 0);
  const peakRssMb = Math.max(...after.map((s) => s.rssMb));
  const last = after[after.length - 1];
  return {
    baseFds,
    peakFds: Math.max(...after.map((s) => s.fds)),
    endFds: last?.fds ?? NaN,
    peakHeld,
    endHeld: last?.held ?? NaN,
    releasedAfterS: released === undefined ? undefined : released.atS - faultAtS,
    baseRssMb,
    peakRssMb,
    rssGrowthMb: peakRssMb - baseRssMb,
  };
}

export interface RunRecord {
  fault: FaultName;
  system: SystemName;
  concurrency: number;
  load: WrkResult;
  resources?: Resources;
  /** Requests the 503 upstream answered, replicas killed…: what happened, in words. */
  note?: string;
}

export const failed = (r: RunRecord): number => r.load.non2xx + socketErrorTotal(r.load);

export interface TargetResult {
  target: string;
  fleet: string;
  nginx: string;
  met: boolean | undefined;
}

export interface TargetContext {
  headerTimeoutS: number;
  perTryTimeoutMs: number;
}

const find = (records: readonly RunRecord[], fault: FaultName, system: SystemName, c?: number): RunRecord | undefined =>
  records.find((r) => r.fault === fault && r.system === system && (c === undefined || r.concurrency === c));

function failedText(r: RunRecord | undefined): string {
  return r === undefined ? '—' : `${failed(r)} failed`;
}

function killTargets(records: readonly RunRecord[]): TargetResult[] {
  const cs = [...new Set(records.filter((r) => r.fault === 'kill9').map((r) => r.concurrency))];
  return cs.map((c) => {
    const f = find(records, 'kill9', 'fleet', c);
    return { target: `kill -9 of a replica at c=${c}: 0 failed requests`, fleet: failedText(f), nginx: failedText(find(records, 'kill9', 'nginx', c)), met: f && failed(f) === 0 };
  });
}

function stopTarget(records: readonly RunRecord[], ctx: TargetContext): TargetResult[] {
  const f = find(records, 'sigstop', 'fleet');
  if (!f) return [];
  const normal = find(records, 'baseline', 'fleet')?.load.p99Ms;
  const bound = normal === undefined ? NaN : normal + ctx.perTryTimeoutMs;
  const show = (r: RunRecord | undefined): string => (r ? `${failed(r)} failed, p99 ${Math.round(r.load.p99Ms)} ms` : '—');
  return [{
    target: `SIGSTOP of a replica: 0 failed and p99 ≤ per-try timeout (${ctx.perTryTimeoutMs} ms) + normal p99 (${normal === undefined ? '?' : Math.round(normal)} ms)`,
    fleet: show(f),
    nginx: show(find(records, 'sigstop', 'nginx')),
    met: Number.isFinite(bound) ? failed(f) === 0 && f.load.p99Ms <= bound : undefined,
  }];
}

function resourceTargets(records: readonly RunRecord[], ctx: TargetContext): TargetResult[] {
  const out: TargetResult[] = [];
  const idle = find(records, 'idle', 'fleet');
  const back = (r: RunRecord | undefined): string => {
    const res = r?.resources;
    if (!res) return '—';
    return res.releasedAfterS === undefined ? `${res.endHeld} of ${res.peakHeld} still held at the end` : `all released after ${res.releasedAfterS.toFixed(1)} s`;
  };
  if (idle?.resources) {
    const within = ctx.headerTimeoutS + 5;
    const t = idle.resources.releasedAfterS;
    out.push({ target: `100 idle connections: their fds released within header timeout + 5 s (${within} s)`, fleet: back(idle), nginx: back(find(records, 'idle', 'nginx')), met: t !== undefined && t <= within });
  }
  const slow = find(records, 'slowloris', 'fleet');
  if (slow?.resources) {
    const growth = (r: RunRecord | undefined): string => (r?.resources ? `+${Math.round(r.resources.rssGrowthMb)} MB` : '—');
    out.push({ target: `200 stalled 1 MB uploads: RSS growth ≤ ${STALLED_RSS_BUDGET_MB} MB`, fleet: growth(slow), nginx: growth(find(records, 'slowloris', 'nginx')), met: slow.resources.rssGrowthMb <= STALLED_RSS_BUDGET_MB });
  }
  return out;
}

export function targetResults(records: readonly RunRecord[], ctx: TargetContext): TargetResult[] {
  return [...killTargets(records), ...stopTarget(records, ctx), ...resourceTargets(records, ctx)];
}
