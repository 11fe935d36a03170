/**
 * Cumulative per-peer counts read from the balancer's own Prometheus metrics (the same
 * numbers /metrics exposes): upstream attempts and failures from
 * `fleet_balancer_upstream_requests_total`, latency buckets from
 * `fleet_balancer_upstream_response_seconds`. Read once per dashboard tick, never per request.
 */
import type { Registry } from 'prom-client';

export const ATTEMPTS_METRIC = 'fleet_balancer_upstream_requests_total';
export const LATENCY_METRIC = 'fleet_balancer_upstream_response_seconds';

export interface PeerTotals {
  requests: number;
  errors: number;
  /** Cumulative bucket counts, in the order of `TotalsSample.bounds` (the last is +Inf). */
  buckets: number[];
}

export interface TotalsSample {
  /** Upper bounds of the latency buckets in seconds, ascending, ending with Infinity. */
  bounds: number[];
  peers: Map<string, PeerTotals>;
}

export function totalsKey(group: string, peer: string): string {
  return `${group}\u0000${peer}`;
}

/**
 * A failed attempt as the Prometheus rules count it: an upstream 5xx or no response at all
 * (an error code), except the client going away, which says nothing about the peer.
 */
export function isErrorStatus(status: string): boolean {
  if (/^\d+$/.test(status)) return Number(status) >= 500;
  return status !== 'CLIENT_CLOSED_REQUEST';
}

interface Value {
  labels: Partial<Record<string, string | number>>;
  value: number;
  metricName?: string;
}

function entry(peers: Map<string, PeerTotals>, labels: Value['labels'], width: number): PeerTotals {
  const key = totalsKey(String(labels.group ?? ''), String(labels.peer ?? ''));
  let t = peers.get(key);
  if (t === undefined) {
    t = { requests: 0, errors: 0, buckets: new Array<number>(width).fill(0) };
    peers.set(key, t);
  }
  return t;
}

async function values(registry: Registry, name: string): Promise<Value[]> {
  const metric = registry.getSingleMetric(name);
  if (metric === undefined) return [];
  return (await metric.get()).values as Value[];
}

export async function readPeerTotals(registry: Registry): Promise<TotalsSample> {
  const latency = (await values(registry, LATENCY_METRIC)).filter((v) => v.metricName === `${LATENCY_METRIC}_bucket`);
  const bounds = [...new Set(latency.map((v) => Number(v.labels.le === '+Inf' ? Infinity : v.labels.le)))].sort((a, b) => a - b);
  const index = new Map(bounds.map((b, i) => [b, i]));
  const peers = new Map<string, PeerTotals>();
  for (const v of latency) {
    const i = index.get(Number(v.labels.le === '+Inf' ? Infinity : v.labels.le)) ?? 0;
    entry(peers, v.labels, bounds.length).buckets[i] = v.value;
  }
  for (const v of await values(registry, ATTEMPTS_METRIC)) {
    const t = entry(peers, v.labels, bounds.length);
    t.requests += v.value;
    if (isErrorStatus(String(v.labels.status ?? ''))) t.errors += v.value;
  }
  return { bounds, peers };
}
