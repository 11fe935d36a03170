import type { PickedPeer } from '@fleet/lb-core';
import { describe, expect, it } from 'vitest';
import { PEERS, ROUTE, groupView as view, recorder } from '../test/helpers/walk-view.js';
import type { BalancerErrorCode } from './errors.js';
import type { GroupView } from './upstreams/upstream.js';
import { IDEMPOTENT, walk, type AttemptControl, type AttemptResult, type Exchange } from './walk.js';

/**
 * The walk's retry rules (README "How a request flows"), with a scripted exchange and an
 * injected clock (no sockets): what is retried and what is answered, what the retry budget is
 * charged, what passive health and the metrics are told, and the attempt records.
 */

/** What an attempt does: fail with an error code, answer with a status (the walk decides), or throw from start. */
type Step = { error: string } | { status: number } | 'throw';

async function run(
  steps: Step[],
  options: { upstream?: GroupView; method?: string; replayable?: boolean; route?: Partial<typeof ROUTE>; gone?: boolean } = {},
) {
  const upstream = options.upstream ?? view();
  let t = 0;
  const peers: string[] = [];
  const controls: AttemptControl[] = [];
  const answered: BalancerErrorCode[] = [];
  const warned: object[] = [];
  let goneFn: (() => void) | undefined;
  const exchange: Exchange = {
    replayable: options.replayable ?? true,
    hedgeable: true,
    start: (peer: PickedPeer, control) => {
      const step = steps[peers.length] ?? { status: 200 };
      peers.push(peer.id);
      controls.push(control);
      t += 10;
      if (step === 'throw') throw Object.assign(new Error('no pool'), { code: 'ECONNREFUSED' });
      let done: AttemptResult;
      if ('error' in step) done = { kind: 'failed', error: { code: step.error } };
      else done = control.decide(step.status) ? { kind: 'relayed', status: step.status } : { kind: 'discarded', status: step.status };
      if (options.gone === true) goneFn?.();
      control.settled(done);
      return { cancel: () => undefined };
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
  const out = await walk(
    { upstream, route: { ...ROUTE, ...options.route }, method: options.method ?? 'GET', clientIp: '127.0.0.1' },
    exchange,
    { now: () => t, metrics, logger: { warn: (obj) => warned.push(obj) } },
  );
  return { out, peers, controls, answered, calls, warned, upstream };
}

describe('walk: what moves on to the next peer', () => {
  it('retries an error on the next peer and relays the first good answer; records each attempt', async () => {
    const { out, peers, calls, upstream } = await run([{ error: 'ECONNRESET' }, { status: 201 }]);
    expect(out).toEqual({
      status: 201,
      attempts: [
        { peer: peers[0], durationMs: 10, error: 'ECONNRESET' },
        { peer: peers[1], durationMs: 10, status: 201 },
      ],
    });
    expect(new Set(peers).size).toBe(2);
    expect(calls).toEqual([`attempt ${peers[0]} ECONNRESET`, 'retry error', `attempt ${peers[1]} 201`]);
    // the reset peer was reported failed (max_fails=1): three more requests never pick it
    const after = new Set<string>();
    for (let i = 0; i < 3; i++) after.add((await run([{ status: 200 }], { upstream })).peers[0] as string);
    expect(after.has(peers[0] as string)).toBe(false);
    expect(upstream.retryBudget.retrying).toBe(0);
    expect(upstream.retryBudget.active).toBe(0);
  });

  it('a status listed in nextUpstream.on is dropped for the next peer; the last peer’s is relayed', async () => {
    const { out, answered, calls } = await run([{ status: 503 }, { status: 503 }, { status: 503 }]);
    expect(out.status).toBe(503);
    expect(out.attempts.map((a) => a.status)).toEqual([503, 503, 503]);
    expect(answered).toEqual([]);
    expect(calls.filter((c) => c.startsWith('retry'))).toEqual(['retry http_503', 'retry http_503']);
  });

  it('only a relayed answer’s time feeds the latency window (per-try timeouts); a retried status’s does not', async () => {
    const upstream = view();
    await run([{ status: 503 }, { status: 200 }], { upstream });
    expect(upstream.latency.samples).toBe(1);
    expect(upstream.latency.quantile(1)).toBe(10);
  });

  it('a status not listed is relayed at once', async () => {
    const { out, peers } = await run([{ status: 502 }]);
    expect(out.status).toBe(502);
    expect(peers).toHaveLength(1);
  });

  it('a reason not listed is answered with its code', async () => {
    const upstream = view({ nextUpstream: { on: ['timeout'], tries: 0, timeoutMs: 0 } });
    const { out, peers, answered } = await run([{ error: 'ECONNRESET' }], { upstream });
    expect([out.status, peers.length, answered]).toEqual([599, 1, ['UPSTREAM_ERROR']]);
  });

  it('answers the last failure’s code once every peer failed', async () => {
    const { out, peers, answered } = await run([{ error: 'ECONNREFUSED' }, { error: 'ECONNREFUSED' }, { error: 'UND_ERR_HEADERS_TIMEOUT' }]);
    expect(peers).toHaveLength(3);
    expect(answered).toEqual(['UPSTREAM_TIMEOUT']);
    expect(out.status).toBe(599);
  });

  it('an exchange that throws in start counts as a failed attempt', async () => {
    const { out, peers } = await run(['throw', { status: 200 }]);
    expect(out.status).toBe(200);
    expect(out.attempts[0]).toMatchObject({ error: 'ECONNREFUSED' });
    expect(peers).toHaveLength(2);
  });
});

describe('walk: what may not move on', () => {
  it.each(['POST', 'PATCH'])('%s after the request was sent: answered, not retried', async (method) => {
    expect(IDEMPOTENT.has(method)).toBe(false);
    const { peers, answered } = await run([{ error: 'ECONNRESET' }, { status: 200 }], { method });
    expect([peers.length, answered]).toEqual([1, ['UPSTREAM_ERROR']]);
  });

  it.each(['GET', 'HEAD', 'OPTIONS', 'TRACE', 'PUT', 'DELETE'])('%s is idempotent: retried after sending', async (method) => {
    const { out, peers } = await run([{ error: 'ECONNRESET' }, { status: 200 }], { method });
    expect([out.status, peers.length]).toEqual([200, 2]);
  });

  it('POST whose connect failed (nothing sent) moves on', async () => {
    const { out, peers } = await run([{ error: 'ECONNREFUSED' }, { status: 200 }], { method: 'POST' });
    expect([out.status, peers.length]).toEqual([200, 2]);
  });

  it('POST on a route with retryNonIdempotent moves on after sending', async () => {
    const { out, peers } = await run([{ error: 'ECONNRESET' }, { status: 200 }], { method: 'POST', route: { retryNonIdempotent: true } });
    expect([out.status, peers.length]).toEqual([200, 2]);
  });

  it('POST with a retryable status: relayed as it is', async () => {
    const { out, peers } = await run([{ status: 503 }, { status: 200 }], { method: 'POST' });
    expect([out.status, peers.length]).toEqual([503, 1]);
  });

  it('a streamed (not replayable) body is never sent twice, even when nothing was sent', async () => {
    const { peers, answered } = await run([{ error: 'ECONNREFUSED' }, { status: 200 }], { replayable: false });
    expect([peers.length, answered]).toEqual([1, ['UPSTREAM_CONNECT_FAILED']]);
  });

  it('stops at `tries` attempts', async () => {
    const upstream = view({ nextUpstream: { on: ['error'], tries: 2, timeoutMs: 0 } });
    const { peers, answered } = await run([{ error: 'ECONNRESET' }, { error: 'ECONNRESET' }, { status: 200 }], { upstream });
    expect([peers.length, answered]).toEqual([2, ['UPSTREAM_ERROR']]);
  });

  it('the balancer’s own resource errors: answered 503-style, not retried, the peer not blamed', async () => {
    const { peers, answered, calls, warned, upstream } = await run([{ error: 'EMFILE' }, { status: 200 }]);
    expect([peers.length, answered]).toEqual([1, ['LOCAL_RESOURCES_EXHAUSTED']]);
    expect(calls).toContain('local EMFILE');
    expect(warned).toEqual([{ group: 'default', peer: peers[0], code: 'EMFILE' }]);
    // not reported to passive health (max_fails=1): three more requests still reach it
    const seen = new Set<string>();
    for (let i = 0; i < 3; i++) seen.add((await run([{ status: 200 }], { upstream })).peers[0] as string);
    expect(seen.has(peers[0] as string)).toBe(true);
  });

  it('a client that left stops the walk with 499', async () => {
    const { out, peers } = await run([{ error: 'ECONNRESET' }, { status: 200 }], { gone: true });
    expect(out.status).toBe(499);
    expect(peers).toHaveLength(1);
  });
});

describe('walk: the retry budget', () => {
  it('a timeout spends the budget; once spent, the failure is answered and counted', async () => {
    const upstream = view({}, { ratio: 0, minRetries: 0 });
    const { peers, answered, calls } = await run([{ error: 'UND_ERR_HEADERS_TIMEOUT' }, { status: 200 }], { upstream });
    expect([peers.length, answered]).toEqual([1, ['UPSTREAM_TIMEOUT']]);
    expect(calls).toContain('retry budget_exhausted');
    expect(calls).not.toContain('retry timeout');
  });

  it('a dead peer (refused, reset) is retried free of the budget', async () => {
    const upstream = view({}, { ratio: 0, minRetries: 0 });
    const { out, peers } = await run([{ error: 'ECONNREFUSED' }, { error: 'ECONNRESET' }, { status: 200 }], { upstream });
    expect([out.status, peers.length]).toEqual([200, 3]);
  });

  it('slots taken for retries are given back when the request ends', async () => {
    const upstream = view({}, { ratio: 0, minRetries: 1 });
    const first = await run([{ status: 503 }, { status: 200 }], { upstream });
    expect(first.out.status).toBe(200);
    expect(upstream.retryBudget.retrying).toBe(0);
    const second = await run([{ status: 503 }, { status: 200 }], { upstream });
    expect(second.out.status).toBe(200);
    expect(second.peers).toHaveLength(2);
  });

  it('a slot is given back when no peer is left to retry on', async () => {
    const upstream = view({ nextUpstream: { on: ['http_503'], tries: 1, timeoutMs: 0 } }, { ratio: 0, minRetries: 1 });
    const { out } = await run([{ status: 503 }], { upstream });
    expect(out.status).toBe(503);
    expect(upstream.retryBudget.retrying).toBe(0);
  });
});

describe('walk: the headers timeout each attempt gets', () => {
  it('is the group’s headers timeout without a nextUpstream budget, and cut to what is left of it otherwise', async () => {
    const plain = view();
    const { controls } = await run([{ error: 'ECONNRESET' }, { status: 200 }], { upstream: plain });
    expect(controls.map((c) => c.headersTimeoutMs)).toEqual([plain.config.timeouts.headersMs, plain.config.timeouts.headersMs]);

    const budget = view({ nextUpstream: { on: ['error'], tries: 0, timeoutMs: 25 } });
    const cut = await run([{ error: 'ECONNRESET' }, { status: 200 }], { upstream: budget });
    // each attempt takes 10 ms on the clock: 25 ms at the start, 15 ms left for the second
    expect(cut.controls.map((c) => c.headersTimeoutMs)).toEqual([25, 15]);
    const long = view({ nextUpstream: { on: ['error'], tries: 0, timeoutMs: 10 * 60_000 } });
    const full = await run([{ status: 200 }], { upstream: long });
    expect(full.controls[0]?.headersTimeoutMs).toBe(long.config.timeouts.headersMs);
  });
});

describe('walk: no peer to start with', () => {
  it('answers NO_LIVE_UPSTREAM when every peer is down', async () => {
    const upstream = view();
    for (const id of PEERS) upstream.group.report(id, { ok: false, now: 0, latencyMs: 0 });
    const { out, peers, answered } = await run([], { upstream });
    expect([out.status, peers.length, answered]).toEqual([599, 0, ['NO_LIVE_UPSTREAM']]);
  });

  it('answers ALL_UPSTREAMS_BUSY when every peer is at max_conns', async () => {
    const upstream = view({}, undefined, 1);
    for (const id of PEERS) upstream.group.acquire(id);
    const { peers, answered } = await run([], { upstream });
    expect([peers.length, answered]).toEqual([0, ['ALL_UPSTREAMS_BUSY']]);
  });
});
