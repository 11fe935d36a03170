import { defaultBalancerConfig, type UpstreamGroupConfig } from '@fleet/config';
import { LatencyWindow, createGroup, createSeededRandom } from '@fleet/lb-core';
import { describe, expect, it } from 'vitest';
import { createMetrics } from './metrics.js';
import { createRetryBudget } from './retry-budget.js';
import type { GroupView } from './upstreams/upstream.js';
import { MIN_ATTEMPT_MS, walk, type Exchange } from './walk.js';

/** The walk with an injected clock and an exchange whose attempts fail on cue (no sockets). */
function view(overrides: Partial<UpstreamGroupConfig>): GroupView {
  const base = defaultBalancerConfig('127.0.0.1:1,127.0.0.1:2,127.0.0.1:3').upstreams.default;
  if (base === undefined) throw new Error('no default group');
  const config = { ...base, ...overrides };
  const peers = ['127.0.0.1:1', '127.0.0.1:2', '127.0.0.1:3'].map((id) => ({ id, address: id, name: id, weight: 1, maxFails: 1, failTimeoutMs: 10_000, backup: false, down: false, maxConns: 0, slowStartMs: 0 }));
  return {
    name: 'default',
    config,
    group: createGroup({ name: 'default', strategy: { name: 'round_robin' }, peers, random: createSeededRandom(1), now: 0 }),
    retryBudget: createRetryBudget({ ratio: 0.2, minRetries: 3 }),
    latency: new LatencyWindow(16),
    pool: () => undefined,
  };
}

const route = { prefix: '/', upstream: 'default', retryNonIdempotent: false, perTryTimeout: false, websocketIdleTimeoutMs: 1000, stripPrefix: false };

describe('walk: the nextUpstream.timeoutMs budget', () => {
  it.each([
    [0.5, 1],
    [MIN_ATTEMPT_MS - 0.5, 1],
    [MIN_ATTEMPT_MS + 0.5, 2],
  ])('with %s ms of the budget left after a timeout, makes %s attempt(s) in all', async (left, attempts) => {
    let t = 0;
    const timeouts: number[] = [];
    const exchange: Exchange = {
      replayable: true,
      hedgeable: false,
      start: (_peer, control) => {
        timeouts.push(control.headersTimeoutMs);
        t += timeouts.length === 1 ? 100 - left : 1000; // the first attempt times out `left` ms before the budget
        return { done: Promise.resolve({ kind: 'failed', error: { code: 'UND_ERR_HEADERS_TIMEOUT' } }), cancel: () => undefined };
      },
      answer: () => 504,
      onClientGone: () => undefined,
    };
    const upstream = view({ nextUpstream: { on: ['error', 'timeout'], tries: 0, timeoutMs: 100 } });
    const deps = { now: () => t, metrics: createMetrics(), logger: { warn: () => undefined } };
    const out = await walk({ upstream, route, method: 'GET', clientIp: '127.0.0.1' }, exchange, deps);
    expect(out.status).toBe(504);
    expect(out.attempts).toHaveLength(attempts);
    if (attempts === 2) expect(timeouts[1]).toBeCloseTo(left);
  });
});
