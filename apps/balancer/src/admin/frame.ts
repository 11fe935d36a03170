/**
 * What the dashboard's event stream sends (`GET /events`): one `history` event on connect,
 * then one `frame` event per second. Types only: the browser bundle imports them too.
 */
import type { HealthSnapshot, PeerState, StrategyName } from '@fleet/lb-core';

export interface LastCheck {
  ok: boolean;
  status?: number;
  error?: string;
  durationMs: number;
  /** How long ago the probe finished. */
  agoMs: number;
}

export interface PeerView {
  /** `ip:port`; unique within its group. */
  id: string;
  /** The configured name (`host:port`, a DNS name for discovered peers). */
  name: string;
  /** What the replica calls itself (its `x-server-id` header), once known. */
  serverId: string | null;
  state: PeerState;
  backup: boolean;
  weight: number;
  effectiveWeight: number;
  inFlight: number;
  maxConns: number;
  requests: number;
  /** Upstream attempts per second over the last tick. */
  rps: number;
  /** Share of attempts in the window that failed (5xx or no response); null without attempts. */
  errorRate: number | null;
  /** Time to response headers over the window (from the histogram buckets); null without attempts. */
  p50Ms: number | null;
  p99Ms: number | null;
  ejections: number;
  totalFails: number;
  health: HealthSnapshot;
  lastCheck: LastCheck | null;
}

export interface GroupView {
  name: string;
  strategy: StrategyName;
  retriesInFlight: number;
  peers: PeerView[];
}

export interface PickView {
  at: number;
  group: string;
  peer: string;
  serverId: string | null;
  status: number | string;
}

/** The stub_status counters (`StubStatus` in status.ts, which the browser bundle cannot import). */
export type StubView = Record<'active' | 'accepts' | 'handled' | 'requests' | 'reading' | 'writing' | 'waiting', number>;

export interface Frame {
  /** Wall-clock time of the sample (ms since the epoch). */
  at: number;
  /** Seconds the p50/p99/error-rate window spans. */
  windowSeconds: number;
  stub: StubView;
  groups: GroupView[];
  /** Latest upstream attempts, oldest first. */
  picks: PickView[];
  /** Whether the balancer has an admin token (drain/undrain can work). */
  actions: boolean;
}

/** One point of a peer's chart. */
export interface SeriesPoint {
  at: number;
  rps: number;
  p99Ms: number | null;
}

/** Chart history per peer, keyed by `group/peer`. */
export interface History {
  seconds: number;
  peers: Record<string, SeriesPoint[]>;
}

export function seriesKey(group: string, peer: string): string {
  return `${group}/${peer}`;
}
