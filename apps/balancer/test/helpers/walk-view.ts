import { defaultBalancerConfig, type UpstreamGroupConfig } from '@fleet/config';
import { LatencyWindow, createGroup, createSeededRandom } from '@fleet/lb-core';
import type { Metrics } from '../../src/metrics.js';
import { createRetryBudget } from '../../src/retry-budget.js';
import type { GroupView } from '../../src/upstreams/upstream.js';

/** Three peers no socket ever reaches: the walk's unit tests drive a scripted exchange. */
export const PEERS = ['127.0.0.1:1', '127.0.0.1:2', '127.0.0.1:3'];

export const ROUTE = { prefix: '/', upstream: 'default', retryNonIdempotent: false, perTryTimeout: false, websocketIdleTimeoutMs: 1000, stripPrefix: false };

/**
 * A round-robin group over PEERS (max_fails=1, so one reported failure takes a peer out) with a
 * real retry budget and latency window; `nextUpstream` retries error, timeout and 503 unless
 * overridden.
 */
export function groupView(overrides: Partial<UpstreamGroupConfig> = {}, budget = { ratio: 0.2, minRetries: 3 }, maxConns = 0): GroupView {
  const base = defaultBalancerConfig(PEERS.join(',')).upstreams.default;
  if (base === undefined) throw new Error('no default group');
  const config = { ...base, nextUpstream: { on: ['error', 'timeout', 'http_503'], tries: 0, timeoutMs: 0 }, ...overrides } as UpstreamGroupConfig;
  const peers = PEERS.map((id) => ({ id, address: id, name: id, weight: 1, maxFails: 1, failTimeoutMs: 10_000, backup: false, down: false, maxConns, slowStartMs: 0 }));
  return {
    name: 'default',
    config,
    group: createGroup({ name: 'default', strategy: { name: 'round_robin' }, peers, random: createSeededRandom(1), now: 0 }),
    retryBudget: createRetryBudget(budget),
    latency: new LatencyWindow(16),
    pool: () => undefined,
  };
}

/** Metrics that record the walk's calls in order, as `attempt <peer> <status|error>`, `retry <reason>`… */
export function recorder() {
  const calls: string[] = [];
  const metrics = {
    attempt: (_g: string, peer: string, status: number | string) => calls.push(`attempt ${peer} ${status}`),
    retry: (_g: string, reason: string) => calls.push(`retry ${reason}`),
    perTryTimeout: (_g: string, peer: string) => calls.push(`perTry ${peer}`),
    hedge: () => calls.push('hedge'),
    localError: (code: string) => calls.push(`local ${code}`),
  } as unknown as Metrics;
  return { calls, metrics };
}
