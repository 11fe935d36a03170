/**
 * The Grafana dashboard for fleet, typed with @grafana/schema (the types Grafana itself
 * publishes), written to dashboards/fleet.json by `pnpm --filter @fleet/infra grafana`.
 * The same panels as the Prometheus rules in ../rules/fleet.rules.yml: most queries read the
 * recording rules. A test keeps the JSON equal to this source and checks every query with
 * promtool and against the metrics the apps really export.
 */
import type { Dashboard, DataSourceRef, Panel } from '@grafana/schema';

export const DATASOURCE: DataSourceRef = { type: 'prometheus', uid: 'fleet-prometheus' };

interface Query {
  expr: string;
  legend: string;
}

type Unit = 'reqps' | 'percentunit' | 's' | 'short';

let nextId = 1;

function panel(type: 'timeseries' | 'stat', title: string, unit: Unit, queries: Query[], grid: [number, number, number, number], description: string): Panel {
  const [x, y, w, h] = grid;
  return {
    id: nextId++,
    type,
    title,
    description,
    datasource: DATASOURCE,
    gridPos: { x, y, w, h },
    fieldConfig: { defaults: { unit, min: 0 }, overrides: [] },
    options: type === 'stat' ? { reduceOptions: { calcs: ['lastNotNull'] }, colorMode: 'value' } : { legend: { showLegend: true, displayMode: 'list', placement: 'bottom' }, tooltip: { mode: 'multi' } },
    targets: queries.map((q, i) => ({ refId: String.fromCharCode(65 + i), datasource: DATASOURCE, expr: q.expr, legendFormat: q.legend })),
  };
}

const peer = '{{group}} {{peer}}';

const panels: Panel[] = [
  panel('stat', '5xx to clients', 'percentunit', [{ expr: 'fleet_balancer:responses_5xx:ratio_rate5m', legend: '5xx' }], [0, 0, 6, 4], 'Share of balancer responses with a 5xx status over 5 minutes (alert FleetHigh5xxRatio above 5 %).'),
  panel('stat', 'Peers out of rotation', 'short', [{ expr: 'sum(fleet_balancer_peer_state{state=~"failed|unhealthy|draining|down"}) or vector(0)', legend: 'peers' }], [6, 0, 6, 4], 'Peers failed (passive health), unhealthy (active checks), draining or down.'),
  panel('stat', 'Retries refused by the budget (5m)', 'short', [{ expr: 'sum(increase(fleet_balancer_retries_total{reason="budget_exhausted"}[5m])) or vector(0)', legend: 'refused' }], [12, 0, 6, 4], 'Failed attempts answered without a retry because the retry budget was used up (alert FleetRetryBudgetExhausted).'),
  panel('stat', 'Replicas up', 'short', [{ expr: 'sum(up{job="fleet-model-server"})', legend: 'up' }], [18, 0, 6, 4], 'Replicas that answer Prometheus scrapes (alert FleetReplicaDown).'),
  panel('timeseries', 'Upstream req/s per peer', 'reqps', [{ expr: 'group_peer:fleet_balancer_upstream_requests:rate1m', legend: peer }], [0, 4, 12, 8], 'Upstream attempts per second (retries count on the peer tried).'),
  panel('timeseries', 'Upstream error ratio per peer', 'percentunit', [{ expr: 'group_peer:fleet_balancer_upstream_errors:ratio_rate1m', legend: peer }], [12, 4, 12, 8], 'Upstream 5xx and attempts without an answer, over all attempts.'),
  panel('timeseries', 'Time to response headers per peer', 's', [
    { expr: 'group_peer:fleet_balancer_upstream_response_seconds:p50_5m', legend: `p50 ${peer}` },
    { expr: 'group_peer:fleet_balancer_upstream_response_seconds:p99_5m', legend: `p99 ${peer}` },
  ], [0, 12, 12, 8], 'From the fleet_balancer_upstream_response_seconds histogram (alert FleetUpstreamP99High above 500 ms).'),
  panel('timeseries', 'Peer state', 'short', [{ expr: 'max by (group, peer, state) (fleet_balancer_peer_state{state!="up"}) == 1', legend: '{{peer}} {{state}}' }], [12, 12, 12, 8], 'Peers that are not up, by state (alert FleetPeerUnavailable).'),
  panel('timeseries', 'In flight per peer', 'short', [{ expr: 'fleet_balancer_peer_in_flight', legend: peer }], [0, 20, 12, 8], 'Requests in flight on each peer (least_conn, max_conns).'),
  panel('timeseries', 'Ejections (5m)', 'short', [{ expr: 'delta(fleet_balancer_peer_ejections[5m])', legend: peer }], [12, 20, 12, 8], 'Times max_fails within fail_timeout took a peer out (alert FleetPeerEjected).'),
  panel('timeseries', 'Replica req/s', 'reqps', [{ expr: 'instance:model_server_requests:rate1m', legend: '{{instance}}' }], [0, 28, 8, 8], 'Requests each replica handled per second.'),
  panel('timeseries', 'Replica inference p99', 's', [{ expr: 'instance:model_server_request_duration_seconds:p99_5m', legend: '{{instance}}' }], [8, 28, 8, 8], 'End-to-end time of /predict and /v2 requests inside the replica.'),
  panel('timeseries', 'Replica queue and batches', 'short', [
    { expr: 'model_server_queue_depth', legend: 'queue {{instance}}' },
    { expr: 'instance:model_server_batch_size:avg_rate5m', legend: 'avg batch {{instance}}' },
  ], [16, 28, 8, 8], 'Requests waiting in the batching queue (alert FleetReplicaQueueFull when it rejects) and the average batch size.'),
];

export const fleetDashboard: Dashboard = {
  uid: 'fleet-overview',
  title: 'fleet: balancer and replicas',
  description: 'Per-peer traffic, errors and latency through the fleet balancer, and the replicas behind it.',
  tags: ['fleet'],
  editable: true,
  graphTooltip: 1,
  schemaVersion: 39,
  version: 1,
  refresh: '10s',
  time: { from: 'now-30m', to: 'now' },
  timezone: 'browser',
  fiscalYearStartMonth: 0,
  panels,
  templating: { list: [] },
  annotations: { list: [] },
  links: [],
};
