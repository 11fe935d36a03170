/** Pure: the one table `pnpm chaos` prints (per fault and system) and the targets table. */
import { fmt, markdownTable } from '@fleet/bench-kit';
import type { RunRecord, TargetResult } from './analysis.js';

const FAULT_TEXT: Record<RunRecord['fault'], string> = {
  baseline: 'no fault (steady load)',
  kill9: 'kill -9 a replica, restart it',
  sigstop: 'SIGSTOP a replica, SIGCONT',
  http503: 'one upstream answers 503',
  reload: 'reload: remove a peer, re-add it',
  idle: '100 idle connections',
  slowloris: '200 stalled 1 MB uploads',
  'graceful-stop': 'graceful stop of the proxy',
};

function socketErrors(r: RunRecord): string {
  const e = r.load.socketErrors;
  const total = e.connect + e.read + e.write + e.timeout;
  if (total === 0) return '0';
  const parts = Object.entries(e).filter(([, n]) => n > 0).map(([k, n]) => `${k} ${fmt(n)}`);
  return `${fmt(total)} (${parts.join(', ')})`;
}

function fds(r: RunRecord): string {
  const res = r.resources;
  return res ? `${fmt(res.baseFds)} → ${fmt(res.peakFds)} → ${fmt(res.endFds)}` : '';
}

function held(r: RunRecord): string {
  const res = r.resources;
  if (!res) return '';
  return res.releasedAfterS === undefined ? `${fmt(res.peakHeld)} → ${fmt(res.endHeld)} (still held)` : `${fmt(res.peakHeld)} → 0 after ${res.releasedAfterS.toFixed(1)} s`;
}

function rss(r: RunRecord): string {
  const res = r.resources;
  return res ? `${fmt(res.baseRssMb)} → ${fmt(res.peakRssMb)} (+${fmt(res.rssGrowthMb)})` : '';
}

export function chaosTable(records: readonly RunRecord[]): string {
  return markdownTable(
    ['fault', 'system', 'c', 'requests', 'non-2xx', 'socket errors', 'p99 ms', 'max ms', 'proxy fds base → peak → end', 'attack sockets held by the proxy', 'proxy RSS MB base → peak', 'note'],
    records.map((r) => [FAULT_TEXT[r.fault], r.system === 'fleet' ? 'fleet' : 'NGINX', String(r.concurrency), fmt(r.load.requests), fmt(r.load.non2xx), socketErrors(r), fmt(r.load.p99Ms), fmt(r.load.maxMs), fds(r), held(r), rss(r), r.note ?? '']),
  );
}

export function targetsTable(results: readonly TargetResult[]): string {
  const verdict = (met: boolean | undefined): string => (met === undefined ? 'not measured' : met ? 'met' : 'not met');
  return markdownTable(['target (issue 8)', 'fleet', 'NGINX (same test)', 'fleet verdict'], results.map((t) => [t.target, t.fleet, t.nginx, verdict(t.met)]));
}
