import { defaultBalancerConfig, type UpstreamGroupConfig } from '@fleet/config';
import { LatencyWindow, createGroup, createSeededRandom } from '@fleet/lb-core';
import { describe, expect, it } from 'vitest';
import { createMetrics } from './metrics.js';
import { createRetryBudget } from './retry-budget.js';
import type { GroupView } from './upstreams/upstream.js';
import { MIN_ATTEMPT_MS, walk, type AttemptControl, type Exchange } from './walk.js';

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
        control.settled({ kind: 'failed', error: { code: 'UND_ERR_HEADERS_TIMEOUT' } });
        return { cancel: () => undefined };
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

describe('walk: events as they arrive (a state machine, no promise per event)', () => {
  const deps = () => ({ now: () => 0, metrics: createMetrics(), logger: { warn: () => undefined } });
  const input = (upstream: GroupView) => ({ upstream, route, method: 'GET', clientIp: '127.0.0.1' });

  it('a client that leaves while an attempt is being started ends the walk after that step: the attempt is cancelled, 499', async () => {
    let gone: (() => void) | undefined;
    const cancelled: number[] = [];
    let started = 0;
    const exchange: Exchange = {
      replayable: true,
      hedgeable: false,
      start: (_peer, control) => {
        const n = ++started;
        if (n === 2) gone?.(); // fired synchronously inside the walk's own step
        if (n === 1) control.settled({ kind: 'failed', error: { code: 'ECONNREFUSED' } });
        return { cancel: () => cancelled.push(n) };
      },
      answer: () => 502,
      onClientGone: (fn) => {
        gone = fn;
      },
    };
    const upstream = view({ nextUpstream: { on: ['error'], tries: 0, timeoutMs: 0 } });
    const out = await walk(input(upstream), exchange, deps());
    expect(out.status).toBe(499);
    expect(started).toBe(2);
    expect(cancelled).toEqual([2]);
    expect(upstream.retryBudget.active).toBe(0);
  });

  it('an attempt reported twice counts once: a later second report is ignored', async () => {
    const controls: AttemptControl[] = [];
    const start: Exchange['start'] = (_peer, control) => {
      controls.push(control);
      if (controls.length === 1) {
        control.settled({ kind: 'failed', error: { code: 'ECONNREFUSED' } });
        setImmediate(() => control.settled({ kind: 'relayed', status: 200 })); // while the retry runs
      } else setImmediate(() => setImmediate(() => control.settled({ kind: 'relayed', status: 201 })));
      return { cancel: () => undefined };
    };
    const exchange: Exchange = { replayable: true, hedgeable: false, start, answer: () => 502, onClientGone: () => undefined };
    const upstream = view({ nextUpstream: { on: ['error'], tries: 0, timeoutMs: 0 } });
    const out = await walk(input(upstream), exchange, deps());
    expect([out.status, controls.length]).toEqual([201, 2]);
  });

  it('a step that throws (the exchange could not answer) rejects the walk once, with the retry budget given back', async () => {
    const exchange: Exchange = {
      replayable: true,
      hedgeable: false,
      start: (_peer, control) => {
        control.settled({ kind: 'failed', error: { code: 'ECONNREFUSED' } });
        return { cancel: () => undefined };
      },
      answer: () => {
        throw new Error('client socket gone');
      },
      onClientGone: () => undefined,
    };
    const upstream = view({ nextUpstream: { on: [], tries: 0, timeoutMs: 0 } });
    await expect(walk(input(upstream), exchange, deps())).rejects.toThrow('client socket gone');
    expect(upstream.retryBudget.active).toBe(0);
  });

  it('an attempt whose cancel throws when the walk ends rejects the walk, with the retry budget given back', async () => {
    let gone: (() => void) | undefined;
    const exchange: Exchange = {
      replayable: true,
      hedgeable: false,
      start: () => {
        setImmediate(() => gone?.());
        return {
          cancel: () => {
            throw new Error('cancel failed');
          },
        };
      },
      answer: () => 502,
      onClientGone: (fn) => {
        gone = fn;
      },
    };
    const upstream = view({});
    await expect(walk(input(upstream), exchange, deps())).rejects.toThrow('cancel failed');
    expect(upstream.retryBudget.active).toBe(0);
  });
});

describe('walk: a client gone during a step', () => {
  it('is known at once: a response head decided after it in the same step is not relayed', async () => {
    let gone: (() => void) | undefined;
    const decisions: boolean[] = [];
    const exchange: Exchange = {
      replayable: true,
      hedgeable: false,
      start: (_peer, control) => {
        gone?.();
        decisions.push(control.decide(200));
        control.settled({ kind: 'discarded', status: 200 });
        return { cancel: () => undefined };
      },
      answer: () => 502,
      onClientGone: (fn) => {
        gone = fn;
      },
    };
    const upstream = view({});
    const out = await walk({ upstream, route, method: 'GET', clientIp: '127.0.0.1' }, exchange, { now: () => 0, metrics: createMetrics(), logger: { warn: () => undefined } });
    expect(decisions).toEqual([false]);
    expect(out.status).toBe(499);
  });
});
