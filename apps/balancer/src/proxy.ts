import type { IncomingMessage, ServerResponse } from 'node:http';
import { Readable } from 'node:stream';
import type { Dispatcher } from 'undici';
import type { RouteConfig } from '@fleet/config';
import { LB_ERROR_CODES, type PickedPeer, type SelectResult } from '@fleet/lb-core';
import { sendError, type BalancerErrorCode } from './errors.js';
import type { ForwardHeaders } from './headers.js';
import type { Metrics } from './metrics.js';
import { CLIENT_MESSAGES, classifyUpstreamError, type ClassifiedError } from './upstream-errors.js';
import { relayUpstream, type ClientGone } from './upstream-relay.js';
import type { Upstream } from './upstreams/upstream.js';

/**
 * Forward one request through an upstream group, walking lb-core's candidates (NGINX
 * `proxy_next_upstream`): connect errors, timeouts and configured statuses move on to the next
 * peer while `tries`, the time budget, the retry budget and the method allow it. Every outcome
 * is reported to lb-core with its latency; the response body is streamed to the client.
 */
export interface ProxyInput {
  req: IncomingMessage;
  res: ServerResponse;
  upstream: Upstream;
  route: RouteConfig;
  path: string;
  headers: ForwardHeaders;
  /** Buffer (replayable), a stream (not replayable) or null (no body). */
  body: Buffer | Readable | null;
  clientIp: string;
  hashKey?: string | undefined;
}

export interface AttemptRecord {
  peer: string;
  status?: number;
  error?: string;
  durationMs: number;
}

export interface ProxyOutcome {
  status: number;
  attempts: AttemptRecord[];
}

export interface ProxyLogger {
  warn(obj: object, msg: string): void;
}

export interface ProxyDeps {
  now: () => number;
  metrics: Metrics;
  logger: ProxyLogger;
}

const IDEMPOTENT: ReadonlySet<string> = new Set(['GET', 'HEAD', 'OPTIONS', 'TRACE', 'PUT', 'DELETE']);

type AttemptResult =
  | { kind: 'relayed'; status: number }
  | { kind: 'discarded' }
  | { kind: 'failure'; error: ClassifiedError }
  | { kind: 'aborted' };

interface RequestState {
  input: ProxyInput;
  deps: ProxyDeps;
  started: number;
  signal: ClientAbort;
  attempts: AttemptRecord[];
  candidates: Generator<SelectResult, void, void>;
  /** Retry slots taken from the group's retry budget (given back when the request ends). */
  retries: number;
}

function headersTimeoutFor(s: RequestState): number {
  const { timeouts, nextUpstream } = s.input.upstream.config;
  if (nextUpstream.timeoutMs === 0) return timeouts.headersMs;
  const left = nextUpstream.timeoutMs - (s.deps.now() - s.started);
  return Math.max(1, Math.min(timeouts.headersMs, left));
}

/** Whether the group's `nextUpstream.on` lists this reason (`error`, `timeout`, `http_502`…). */
function retriesOn(s: RequestState, reason: string): boolean {
  return (s.input.upstream.config.nextUpstream.on as readonly string[]).includes(reason);
}

/**
 * The next peer when this outcome may move on (NGINX proxy_next_upstream, plus the method,
 * replayability, time budget and retry budget rules); undefined when it must be answered.
 */
function planRetry(s: RequestState, reason: string, notSent: boolean): PickedPeer | undefined {
  const { upstream, route, req, body, res } = s.input;
  if (s.signal.aborted || res.destroyed) return undefined;
  if (!retriesOn(s, reason)) return undefined;
  if (body instanceof Readable) return undefined; // a streamed body cannot be replayed
  if (!IDEMPOTENT.has(req.method ?? 'GET') && !route.retryNonIdempotent && !notSent) return undefined;
  const budgetMs = upstream.config.nextUpstream.timeoutMs;
  if (budgetMs > 0 && s.deps.now() - s.started >= budgetMs) return undefined;
  if (!upstream.retryBudget.tryAcquireRetry()) {
    s.deps.metrics.retry(upstream.name, 'budget_exhausted');
    return undefined;
  }
  const next = s.candidates.next();
  if (next.done === true || !next.value.ok) {
    upstream.retryBudget.releaseRetry();
    return undefined;
  }
  s.retries += 1;
  s.deps.metrics.retry(upstream.name, reason);
  return next.value.peer;
}

async function attempt(s: RequestState, peer: PickedPeer, onRetryStatus: (status: number) => boolean): Promise<AttemptResult> {
  const { upstream, req, res } = s.input;
  const group = upstream.group;
  const pool = upstream.pool(peer.id);
  const t0 = s.deps.now();
  const record = (r: Omit<AttemptRecord, 'peer' | 'durationMs'>): number => {
    const durationMs = s.deps.now() - t0;
    s.attempts.push({ peer: peer.id, durationMs, ...r });
    s.deps.metrics.attempt(group.name, peer.id, r.status ?? String(r.error), durationMs);
    return durationMs;
  };
  const decide = (status: number): boolean => {
    const latencyMs = record({ status });
    const retryable = retriesOn(s, `http_${status}`);
    group.report(peer.id, { ok: !retryable, now: s.deps.now(), latencyMs });
    return !retryable || !onRetryStatus(status);
  };
  group.acquire(peer.id);
  try {
    if (pool === undefined) throw Object.assign(new Error('peer has no pool'), { code: 'ECONNREFUSED' });
    const options = {
      path: s.input.path,
      method: (req.method ?? 'GET') as Dispatcher.HttpMethod,
      headers: s.input.headers,
      body: s.input.body,
      headersTimeout: headersTimeoutFor(s),
    };
    const outcome = await relayUpstream(pool, options, res, s.signal, decide);
    if (s.signal.aborted) return { kind: 'aborted' };
    if (outcome.kind === 'relayed') {
      if (outcome.error !== undefined) s.deps.logger.warn({ peer: peer.id, err: outcome.error }, 'relaying the upstream response failed');
      return { kind: 'relayed', status: outcome.status };
    }
    if (outcome.kind === 'discarded') return { kind: 'discarded' };
    throw outcome.error;
  } catch (err) {
    const error = classifyUpstreamError(err);
    const latencyMs = record({ error: error.detail });
    group.report(peer.id, { ok: false, now: s.deps.now(), latencyMs });
    s.deps.logger.warn({ group: group.name, peer: peer.id, code: error.code, detail: error.detail }, 'upstream attempt failed');
    return { kind: 'failure', error };
  } finally {
    group.release(peer.id);
  }
}

function noPeerCode(pick: Extract<SelectResult, { ok: false }>): BalancerErrorCode {
  return pick.code === LB_ERROR_CODES.ALL_AT_MAX_CONNS ? 'ALL_UPSTREAMS_BUSY' : 'NO_LIVE_UPSTREAM';
}

function answer(s: RequestState, code: BalancerErrorCode): number {
  sendError(s.input.res, code, CLIENT_MESSAGES[code] ?? code);
  return s.input.res.statusCode;
}

async function walk(s: RequestState): Promise<number> {
  const first = s.candidates.next();
  if (first.done === true) return answer(s, 'NO_LIVE_UPSTREAM');
  if (!first.value.ok) return answer(s, noPeerCode(first.value));
  let peer: PickedPeer | undefined = first.value.peer;
  while (peer !== undefined) {
    let retryPeer: PickedPeer | undefined;
    const result = await attempt(s, peer, (status) => {
      retryPeer = planRetry(s, `http_${status}`, false);
      return retryPeer !== undefined;
    });
    if (result.kind === 'relayed') return result.status;
    if (result.kind === 'aborted') return 499;
    if (result.kind === 'failure') {
      retryPeer = planRetry(s, result.error.reason, !result.error.sent);
      if (retryPeer === undefined) return answer(s, result.error.code);
    }
    peer = retryPeer;
  }
  return answer(s, 'NO_LIVE_UPSTREAM');
}

/**
 * Aborts the upstream request when the client goes away before the response ended (NGINX
 * 499). A single listener slot: cheaper than an AbortSignal or an EventEmitter per request.
 */
class ClientAbort implements ClientGone {
  aborted = false;
  onAbort: (() => void) | undefined = undefined;
  constructor(private readonly res: { readonly writableEnded: boolean }) {}
  readonly onClose = (): void => {
    if (this.res.writableEnded || this.aborted) return;
    this.aborted = true;
    this.onAbort?.();
  };
}

export async function proxyRequest(input: ProxyInput, deps: ProxyDeps): Promise<ProxyOutcome> {
  const signal = new ClientAbort(input.res);
  input.res.on('close', signal.onClose);
  const started = deps.now();
  const { upstream, clientIp, hashKey } = input;
  const { tries } = upstream.config.nextUpstream;
  const candidates = upstream.group.candidates({ now: started, clientIp, hashKey }, tries === 0 ? Number.MAX_SAFE_INTEGER : tries, deps.now);
  const s: RequestState = { input, deps, started, signal, attempts: [], candidates, retries: 0 };
  upstream.retryBudget.requestStarted();
  try {
    const status = await walk(s);
    return { status, attempts: s.attempts };
  } finally {
    for (let i = 0; i < s.retries; i++) upstream.retryBudget.releaseRetry();
    upstream.retryBudget.requestFinished();
    candidates.return();
    input.res.off('close', signal.onClose);
  }
}
