import { createRequire } from 'node:module';
import type * as Prom from 'prom-client';
import type { GroupSnapshot, PeerSnapshot } from '@fleet/lb-core';
import { RecentPicks } from './admin/recent-picks.js';
import { CounterCells } from './counter-cells.js';
import { HistogramCells } from './histogram-cells.js';

/**
 * prom-client's classes, loaded one by one: its index also loads the Pushgateway client and with
 * it `node:https` and `node:tls` (~3 MB of RSS), which the balancer never uses
 * (`test/memory.test.ts`). No `exports` map, so these files are reachable.
 */
const load = createRequire(import.meta.url);
const Registry = load('prom-client/lib/registry') as typeof Prom.Registry;
const Counter = load('prom-client/lib/counter') as typeof Prom.Counter;
const Gauge = load('prom-client/lib/gauge') as typeof Prom.Gauge;
const collectDefaultMetrics = load('prom-client/lib/defaultMetrics') as typeof Prom.collectDefaultMetrics;

/**
 * Prometheus metrics on the balancer's own Registry (never the global one, so several
 * balancers in one test process do not collide). Peer state, ejections and in-flight counts
 * are read from lb-core snapshots at scrape time.
 */
export interface MetricsSources {
  snapshots(): GroupSnapshot[];
  activeConnections(): number;
  /** Request-body bytes held in memory (the rest is spooled to temp files). */
  bodyMemoryBytes?(): number;
}

export interface Metrics {
  readonly registry: Prom.Registry;
  /** The latest attempts, for the dashboard (records only while one watches). */
  readonly picks: RecentPicks;
  /** `status`: the upstream status, or an error code when there was none. */
  attempt(group: string, peer: string, status: number | string, latencyMs: number): void;
  response(route: string, status: number): void;
  retry(group: string, reason: string): void;
  /** A per-try timeout fired on an attempt (it then hedges or retries). */
  perTryTimeout(group: string, peer: string): void;
  /** A hedged attempt was started. */
  hedge(group: string): void;
  /** The balancer ran out of a resource of its own (EMFILE, ENOBUFS…). */
  localError(code: string): void;
  /** A WebSocket/Upgrade tunnel opened (+1) or closed (−1). */
  tunnel(group: string, delta: number): void;
  setSources(sources: MetricsSources): void;
}

const PEER_STATES = ['up', 'down', 'draining', 'failed', 'unhealthy', 'unchecked'] as const;

export function createMetrics(): Metrics {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: 'fleet_balancer_' });
  let sources: MetricsSources = { snapshots: () => [], activeConnections: () => 0 };

  // The two per-request counters are counted in CounterCells and handed over at scrape time.
  const attemptCells = new CounterCells(['group', 'peer', 'status']);
  new Counter({
    name: 'fleet_balancer_upstream_requests_total',
    help: 'Upstream attempts by group, peer and upstream status (or error code)',
    labelNames: ['group', 'peer', 'status'],
    registers: [registry],
    collect() {
      attemptCells.flushInto(this);
    },
  });
  // The per-request histogram too: plain cells, the same exposition as prom-client's Histogram.
  const latency = new HistogramCells({
    name: 'fleet_balancer_upstream_response_seconds',
    help: 'Time to upstream response headers per peer',
    labelNames: ['group', 'peer'],
    buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
  });
  registry.registerMetric(latency as unknown as Prom.Metric);
  const responseCells = new CounterCells(['route', 'status']);
  new Counter({
    name: 'fleet_balancer_responses_total',
    help: 'Responses to clients by route prefix and status',
    labelNames: ['route', 'status'],
    registers: [registry],
    collect() {
      responseCells.flushInto(this);
    },
  });
  const retries = new Counter({
    name: 'fleet_balancer_retries_total',
    help: 'Next-upstream retries by group and reason',
    labelNames: ['group', 'reason'],
    registers: [registry],
  });
  const perTry = new Counter({
    name: 'fleet_balancer_per_try_timeouts_total',
    help: 'Attempts without a response head within the per-try timeout',
    labelNames: ['group', 'peer'],
    registers: [registry],
  });
  const hedges = new Counter({
    name: 'fleet_balancer_hedges_total',
    help: 'Hedged attempts started after a per-try timeout',
    labelNames: ['group'],
    registers: [registry],
  });
  const localErrors = new Counter({
    name: 'fleet_balancer_local_errors_total',
    help: 'Resource errors of the balancer itself (never counted against a peer)',
    labelNames: ['code'],
    registers: [registry],
  });
  const tunnels = new Gauge({
    name: 'fleet_balancer_tunnels',
    help: 'Open WebSocket/Upgrade tunnels (not counted against max_conns)',
    labelNames: ['group'],
    registers: [registry],
  });
  const peerGauge = (name: string, help: string, value: (p: PeerSnapshot) => number): void => {
    new Gauge({
      name,
      help,
      labelNames: ['group', 'peer'],
      registers: [registry],
      collect() {
        this.reset();
        for (const g of sources.snapshots()) for (const p of g.peers) this.set({ group: g.name, peer: p.id }, value(p));
      },
    });
  };
  peerGauge('fleet_balancer_peer_ejections', 'Times a peer was taken out by passive health (max_fails within fail_timeout)', (p) => p.ejections);
  peerGauge('fleet_balancer_peer_in_flight', 'Requests in flight per peer', (p) => p.inFlight);
  new Gauge({
    name: 'fleet_balancer_peer_state',
    help: 'Peer state (1 for the current state)',
    labelNames: ['group', 'peer', 'state'],
    registers: [registry],
    collect() {
      this.reset();
      for (const g of sources.snapshots()) {
        for (const p of g.peers) {
          for (const s of PEER_STATES) this.set({ group: g.name, peer: p.id, state: s }, p.state === s ? 1 : 0);
        }
      }
    },
  });
  new Gauge({
    name: 'fleet_balancer_request_body_memory_bytes',
    help: 'Request-body bytes buffered in memory (limits.clientBodyMemory); the rest goes to temp files',
    registers: [registry],
    collect() {
      this.set(sources.bodyMemoryBytes?.() ?? 0);
    },
  });
  new Gauge({
    name: 'fleet_balancer_active_connections',
    help: 'Open client connections',
    registers: [registry],
    collect() {
      this.set(sources.activeConnections());
    },
  });

  const picks = new RecentPicks();
  return {
    registry,
    picks,
    attempt(group, peer, status, latencyMs) {
      attemptCells.inc(group, peer, status);
      picks.record(group, peer, status);
      latency.observe(group, peer, latencyMs / 1000);
    },
    response: (route, status) => responseCells.inc(route, status),
    retry: (group, reason) => retries.inc({ group, reason }),
    perTryTimeout: (group, peer) => perTry.inc({ group, peer }),
    hedge: (group) => hedges.inc({ group }),
    localError: (code) => localErrors.inc({ code }),
    tunnel: (group, delta) => tunnels.inc({ group }, delta),
    setSources(next) {
      sources = next;
    },
  };
}
