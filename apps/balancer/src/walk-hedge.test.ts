import type { UpstreamGroupConfig } from '@fleet/config';
import type { PickedPeer } from '@fleet/lb-core';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { PEERS, ROUTE, groupView, recorder } from '../test/helpers/walk-view.js';
import type { BalancerErrorCode } from './errors.js';
import type { GroupView } from './upstreams/upstream.js';
import { walk, type AttemptControl, type AttemptResult, type Exchange } from './walk.js';

/**
 * The walk's per-try timeouts and hedges (README "How a request flows"), with attempts the test
 * answers by hand and a fake clock (no sockets): when a hedge starts, which answer wins, what
 * the loser is charged (PER_TRY_TIMEOUT to passive health, HEDGE_LOST), the retry budget, and
 * which requests never get a per-try timeout. The group has observed 10 ms answers and
 * `perTry` says `minMs: 100`, so the per-try timeout is 100 ms.
 */
const PER_TRY_MS = 100;

/** One attempt the test answers by hand. */
interface Held {
  peer: string;
  control: AttemptControl;
  cancelled: boolean;
  /** Answer with a response head: the walk decides; relayed or discarded accordingly. */
  head(status: number): boolean;
  fail(code: string): void;
}

function hedgeView(perTry: Partial<UpstreamGroupConfig['perTry']> = {}, overrides: Partial<UpstreamGroupConfig> = {}, budget = { ratio: 1, minRetries: 3 }): GroupView {
  const base = groupView();
  const view = groupView({ perTry: { ...base.config.perTry, minSamples: 1, minMs: PER_TRY_MS, factor: 1, quantile: 0.99, maxMs: 0, hedge: true, ...perTry }, ...overrides }, budget);
  view.latency.observe(10);
  return view;
}

/** Flush the walk's promise chains (real setImmediate: the fake clock only fakes timers and Date). */
async function settle(): Promise<void> {
  for (let i = 0; i < 5; i++) await new Promise((resolve) => setImmediate(resolve));
}

function start(options: { upstream?: GroupView; method?: string; replayable?: boolean; hedgeable?: boolean; perTryTimeout?: boolean; retryNonIdempotent?: boolean } = {}) {
  const upstream = options.upstream ?? hedgeView();
  const held: Held[] = [];
  const answered: BalancerErrorCode[] = [];
  let goneFn: (() => void) | undefined;
  const exchange: Exchange = {
    replayable: options.replayable ?? true,
    hedgeable: options.hedgeable ?? true,
    start: (peer: PickedPeer, control) => {
      const resolve = (r: AttemptResult): void => control.settled(r);
      const h: Held = {
        peer: peer.id,
        control,
        cancelled: false,
        head: (status) => {
          const relayed = control.decide(status);
          resolve(relayed ? { kind: 'relayed', status } : { kind: 'discarded', status });
          return relayed;
        },
        fail: (code) => resolve({ kind: 'failed', error: { code } }),
      };
      held.push(h);
      return {
        cancel: () => {
          h.cancelled = true;
          resolve({ kind: 'cancelled' });
        },
      };
    },
    answer: (code) => {
      answered.push(code);
      return 599;
    },
    onClientGone: (fn) => {
      goneFn = fn;
    },
  };
  const { calls, metrics } = recorder();
  const route = { ...ROUTE, perTryTimeout: options.perTryTimeout ?? true, retryNonIdempotent: options.retryNonIdempotent ?? false };
  const done = walk({ upstream, route, method: options.method ?? 'GET', clientIp: '127.0.0.1' }, exchange, {
    now: () => Date.now(),
    metrics,
    logger: { warn: () => undefined },
  });
  return { done, held, answered, calls, upstream, leave: () => goneFn?.() };
}

/** The peers the next `n` picks of a fresh walk land on (which peers passive health still offers). */
async function nextPicks(upstream: GroupView, n: number): Promise<Set<string>> {
  const seen = new Set<string>();
  for (let i = 0; i < n; i++) {
    const w = start({ upstream, perTryTimeout: false });
    await settle();
    const h = w.held[0] as Held;
    seen.add(h.peer);
    h.head(200);
    await w.done;
  }
  return seen;
}

beforeEach(() => {
  vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'Date'], now: 1_000_000 });
});

afterEach(() => {
  vi.useRealTimers();
});

describe('walk: a hedge on the per-try timeout', () => {
  it('starts a second attempt on another peer at the per-try timeout, not before; the hedge’s answer wins and the late one is charged', async () => {
    const w = start();
    await settle();
    expect(w.held).toHaveLength(1);
    await vi.advanceTimersByTimeAsync(PER_TRY_MS - 1);
    await settle();
    expect(w.held).toHaveLength(1);
    await vi.advanceTimersByTimeAsync(1);
    await settle();
    expect(w.held).toHaveLength(2);
    const [first, hedge] = w.held as [Held, Held];
    expect(hedge.peer).not.toBe(first.peer);
    expect(first.cancelled).toBe(false);
    await vi.advanceTimersByTimeAsync(7);
    expect(hedge.head(200)).toBe(true);
    const out = await w.done;
    expect(out).toEqual({
      status: 200,
      attempts: [
        { peer: hedge.peer, status: 200, durationMs: 7 },
        { peer: first.peer, error: 'PER_TRY_TIMEOUT', durationMs: PER_TRY_MS + 7 },
      ],
    });
    expect(first.cancelled).toBe(true);
    expect(w.calls).toEqual([`perTry ${first.peer}`, 'hedge', `attempt ${hedge.peer} 200`, `attempt ${first.peer} PER_TRY_TIMEOUT`]);
    expect(w.answered).toEqual([]);
    // the late peer was reported failed (max_fails=1): the next picks avoid it
    expect((await nextPicks(w.upstream, 6)).has(first.peer)).toBe(false);
    expect(w.upstream.retryBudget.retrying).toBe(0);
    expect(w.upstream.retryBudget.active).toBe(0);
    expect(vi.getTimerCount()).toBe(0);
  });

  it('the first attempt answering after all wins; the hedge is cancelled as HEDGE_LOST, its peer not blamed', async () => {
    const w = start();
    await settle();
    await vi.advanceTimersByTimeAsync(PER_TRY_MS);
    await settle();
    const [first, hedge] = w.held as [Held, Held];
    await vi.advanceTimersByTimeAsync(3);
    expect(first.head(201)).toBe(true);
    const out = await w.done;
    expect(out).toEqual({
      status: 201,
      attempts: [
        { peer: first.peer, status: 201, durationMs: PER_TRY_MS + 3 },
        { peer: hedge.peer, error: 'HEDGE_LOST', durationMs: 3 },
      ],
    });
    expect(hedge.cancelled).toBe(true);
    expect(hedge.control.decide(200)).toBe(false);
    expect(w.calls).toEqual([`perTry ${first.peer}`, 'hedge', `attempt ${first.peer} 201`, `attempt ${hedge.peer} HEDGE_LOST`]);
    expect(await nextPicks(w.upstream, 6)).toEqual(new Set(PEERS));
    expect(w.upstream.retryBudget.retrying).toBe(0);
    expect(vi.getTimerCount()).toBe(0);
  });

  it('a retryable status while a hedge runs is dropped for the hedge’s answer', async () => {
    const w = start();
    await settle();
    await vi.advanceTimersByTimeAsync(PER_TRY_MS);
    await settle();
    const [first, hedge] = w.held as [Held, Held];
    expect(first.head(503)).toBe(false);
    await settle();
    expect(w.held).toHaveLength(2);
    expect(hedge.head(200)).toBe(true);
    const out = await w.done;
    expect(out.status).toBe(200);
    expect(out.attempts.map((a) => [a.peer, a.status ?? a.error])).toEqual([
      [first.peer, 503],
      [hedge.peer, 200],
    ]);
  });

  it('a failure while a hedge runs waits for the hedge instead of retrying', async () => {
    const w = start();
    await settle();
    await vi.advanceTimersByTimeAsync(PER_TRY_MS);
    await settle();
    const [first, hedge] = w.held as [Held, Held];
    first.fail('ECONNRESET');
    await settle();
    expect(w.held).toHaveLength(2);
    expect(w.answered).toEqual([]);
    expect(hedge.head(200)).toBe(true);
    expect((await w.done).status).toBe(200);
  });

  it('a local resource error while a hedge runs waits for the hedge', async () => {
    const w = start();
    await settle();
    await vi.advanceTimersByTimeAsync(PER_TRY_MS);
    await settle();
    const [first, hedge] = w.held as [Held, Held];
    first.fail('EMFILE');
    await settle();
    expect(w.answered).toEqual([]);
    expect(hedge.head(200)).toBe(true);
    expect((await w.done).status).toBe(200);
    expect(w.calls).toContain('local EMFILE');
  });

  it('a client that leaves during the race: 499, both attempts cancelled', async () => {
    const w = start();
    await settle();
    await vi.advanceTimersByTimeAsync(PER_TRY_MS);
    await settle();
    w.leave();
    // a head arriving in the same tick as the client's close is not taken
    expect((w.held[1] as Held).head(200)).toBe(false);
    const out = await w.done;
    expect(out.status).toBe(499);
    expect(w.held[0]?.cancelled).toBe(true);
    expect(w.held[0]?.control.decide(200)).toBe(false);
    expect(w.answered).toEqual([]);
    expect(vi.getTimerCount()).toBe(0);
  });

  it('the hedge gets its own per-try timeout: a third attempt once it is late too', async () => {
    const w = start();
    await settle();
    await vi.advanceTimersByTimeAsync(PER_TRY_MS);
    await settle();
    expect(w.held).toHaveLength(2);
    await vi.advanceTimersByTimeAsync(PER_TRY_MS);
    await settle();
    expect(w.held).toHaveLength(3);
    expect(new Set(w.held.map((h) => h.peer))).toEqual(new Set(PEERS));
    expect(w.calls.filter((c) => c === 'hedge')).toHaveLength(2);
    (w.held[2] as Held).head(200);
    const out = await w.done;
    expect(out.attempts.map((a) => a.error ?? a.status)).toEqual([200, 'PER_TRY_TIMEOUT', 'PER_TRY_TIMEOUT']);
  });
});

describe('walk: per-try timeout without a hedge (`perTry.hedge: false`)', () => {
  it('abandons the late attempt before the next one starts; its late answer is refused', async () => {
    const w = start({ upstream: hedgeView({ hedge: false }) });
    await settle();
    await vi.advanceTimersByTimeAsync(PER_TRY_MS);
    await settle();
    const [first, next] = w.held as [Held, Held];
    expect(first.cancelled).toBe(true);
    expect(first.control.decide(200)).toBe(false);
    expect(w.calls).toEqual([`perTry ${first.peer}`, 'retry per_try_timeout', `attempt ${first.peer} PER_TRY_TIMEOUT`]);
    expect(next.head(200)).toBe(true);
    const out = await w.done;
    expect(out.attempts.map((a) => [a.peer, a.error ?? a.status])).toEqual([
      [first.peer, 'PER_TRY_TIMEOUT'],
      [next.peer, 200],
    ]);
    expect(w.calls).not.toContain('hedge');
  });
});

describe('walk: when the per-try timeout cannot move on', () => {
  it('the retry budget refuses: no hedge now, the walk looks again one interval later', async () => {
    const w = start({ upstream: hedgeView({}, {}, { ratio: 0, minRetries: 0 }) });
    await settle();
    await vi.advanceTimersByTimeAsync(PER_TRY_MS);
    await settle();
    expect(w.held).toHaveLength(1);
    const first = w.held[0] as Held;
    expect(w.calls).toEqual([`perTry ${first.peer}`, 'retry budget_exhausted']);
    await vi.advanceTimersByTimeAsync(PER_TRY_MS - 1);
    await settle();
    expect(w.calls).toHaveLength(2);
    await vi.advanceTimersByTimeAsync(1);
    await settle();
    // counted as late once; the budget asked again
    expect(w.calls).toEqual([`perTry ${first.peer}`, 'retry budget_exhausted', 'retry budget_exhausted']);
    expect(first.head(200)).toBe(true);
    const out = await w.done;
    expect(out).toMatchObject({ status: 200, attempts: [{ peer: first.peer, status: 200 }] });
    expect(vi.getTimerCount()).toBe(0);
  });

  it('no other peer (tries: 1): the walk keeps waiting for the late attempt, asks no more and gives the slot back', async () => {
    const w = start({ upstream: hedgeView({}, { nextUpstream: { on: ['error', 'timeout'], tries: 1, timeoutMs: 0 } }) });
    await settle();
    await vi.advanceTimersByTimeAsync(PER_TRY_MS * 5);
    await settle();
    expect(w.held).toHaveLength(1);
    const first = w.held[0] as Held;
    expect(w.calls).toEqual([`perTry ${first.peer}`]);
    expect(w.upstream.retryBudget.retrying).toBe(0);
    expect(first.head(200)).toBe(true);
    expect((await w.done).status).toBe(200);
  });

  it('`timeout` not in nextUpstream.on: marked late, no hedge', async () => {
    const w = start({ upstream: hedgeView({}, { nextUpstream: { on: ['error'], tries: 0, timeoutMs: 0 } }) });
    await settle();
    await vi.advanceTimersByTimeAsync(PER_TRY_MS * 3);
    await settle();
    expect(w.held).toHaveLength(1);
    const first = w.held[0] as Held;
    expect(w.calls).toEqual([`perTry ${first.peer}`]);
    first.head(200);
    expect((await w.done).attempts).toEqual([{ peer: first.peer, status: 200, durationMs: PER_TRY_MS * 3 }]);
  });
});

describe('walk: requests that never get a per-try timeout', () => {
  it.each([
    ['a route without perTryTimeout', { perTryTimeout: false }],
    ['a non-idempotent method', { method: 'POST' }],
    ['a streamed body', { replayable: false }],
    ['an exchange that cannot hedge (upgrades)', { hedgeable: false }],
    ['a group with too few latency samples', { upstream: hedgeView({ minSamples: 2 }) }],
    ['a per-try timeout at the headers timeout', { upstream: hedgeView({}, { timeouts: { ...groupView().config.timeouts, headersMs: PER_TRY_MS } }) }],
  ] as const)('%s', async (_name, options) => {
    const w = start(options);
    await settle();
    expect(vi.getTimerCount()).toBe(0);
    await vi.advanceTimersByTimeAsync(PER_TRY_MS * 10);
    await settle();
    expect(w.held).toHaveLength(1);
    expect(w.calls).toEqual([]);
    (w.held[0] as Held).head(200);
    expect((await w.done).status).toBe(200);
  });

  it('a POST on a route with retryNonIdempotent gets one', async () => {
    const w = start({ method: 'POST', retryNonIdempotent: true });
    await settle();
    await vi.advanceTimersByTimeAsync(PER_TRY_MS);
    await settle();
    expect(w.held).toHaveLength(2);
    (w.held[1] as Held).head(200);
    expect((await w.done).status).toBe(200);
  });
});
