import { EventEmitter } from 'node:events';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { Readable } from 'node:stream';
import type { Dispatcher } from 'undici';
import type { RouteConfig } from '@fleet/config';
import { LB_ERROR_CODES, type PickedPeer, type SelectResult } from '@fleet/lb-core';
import { sendError, type BalancerErrorCode } from './errors.js';
import { responseHeadersForClient, type ForwardHeaders } from './headers.js';
import type { Metrics } from './metrics.js';
import { CLIENT_MESSAGES, classifyUpstreamError, type ClassifiedError } from './upstream-errors.js';
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
  | { kind: 'response'; peer: PickedPeer; data: Dispatcher.ResponseData; release: () => void }
  | { kind: 'failure'; peer: PickedPeer; error: ClassifiedError }
  | { kind: 'aborted' };

interface RequestState {
  input: ProxyInput;
  deps: ProxyDeps;
  started: number;
  signal: ClientAbort;
  attempts: AttemptRecord[];
}

function headersTimeoutFor(s: RequestState): number {
  const { timeouts, nextUpstream } = s.input.upstream.config;
  if (nextUpstream.timeoutMs === 0) return timeouts.headersMs;
  const left = nextUpstream.timeoutMs - (s.deps.now() - s.started);
  return Math.max(1, Math.min(timeouts.headersMs, left));
}

function retryStatus(s: RequestState, status: number): boolean {
  return (s.input.upstream.config.nextUpstream.on as readonly string[]).includes(`http_${status}`);
}

async function attempt(s: RequestState, peer: PickedPeer): Promise<AttemptResult> {
  const { upstream, req } = s.input;
  const group = upstream.group;
  const pool = upstream.pool(peer.id);
  const t0 = s.deps.now();
  const record = (r: Omit<AttemptRecord, 'peer' | 'durationMs'>): number => {
    const durationMs = s.deps.now() - t0;
    s.attempts.push({ peer: peer.id, durationMs, ...r });
    s.deps.metrics.attempt(group.name, peer.id, String(r.status ?? r.error), durationMs);
    return durationMs;
  };
  group.acquire(peer.id);
  try {
    if (pool === undefined) throw Object.assign(new Error('peer has no pool'), { code: 'ECONNREFUSED' });
    const data = await pool.request({
      path: s.input.path,
      method: (req.method ?? 'GET') as Dispatcher.HttpMethod,
      headers: s.input.headers,
      body: s.input.body,
      signal: s.signal,
      headersTimeout: headersTimeoutFor(s),
    });
    const latencyMs = record({ status: data.statusCode });
    group.report(peer.id, { ok: !retryStatus(s, data.statusCode), now: s.deps.now(), latencyMs });
    return { kind: 'response', peer, data, release: () => group.release(peer.id) };
  } catch (err) {
    group.release(peer.id);
    if (s.signal.aborted) return { kind: 'aborted' };
    const error = classifyUpstreamError(err);
    const latencyMs = record({ error: error.detail });
    group.report(peer.id, { ok: false, now: s.deps.now(), latencyMs });
    s.deps.logger.warn({ group: group.name, peer: peer.id, code: error.code, detail: error.detail }, 'upstream attempt failed');
    return { kind: 'failure', peer, error };
  }
}

/** Whether this result may move on to another peer (before asking for one). */
function mayRetry(s: RequestState, result: AttemptResult): string | null {
  const { upstream, route, req, body, res } = s.input;
  if (result.kind === 'aborted' || res.destroyed) return null;
  const reason = result.kind === 'response' ? `http_${result.data.statusCode}` : result.error.reason;
  if (!(upstream.config.nextUpstream.on as readonly string[]).includes(reason)) return null;
  const notSent = result.kind === 'failure' && !result.error.sent;
  if (body instanceof Readable) return null; // a streamed body cannot be replayed
  if (!IDEMPOTENT.has(req.method ?? 'GET') && !route.retryNonIdempotent && !notSent) return null;
  const budgetMs = upstream.config.nextUpstream.timeoutMs;
  if (budgetMs > 0 && s.deps.now() - s.started >= budgetMs) return null;
  return reason;
}

/**
 * Body relay without stream/promises' pipeline (which allocates an AbortController per call
 * and aborts it on every finish — measurable at proxy rates). Resolves when the response
 * ended or either side failed; a client that went away destroys the upstream body.
 */
function pipeBody(body: Readable, res: ServerResponse): Promise<void> {
  return new Promise((resolve, reject) => {
    const fail = (err: unknown): void => {
      body.destroy();
      reject(err instanceof Error ? err : new Error(String(err)));
    };
    body.once('error', fail);
    res.once('finish', () => resolve());
    res.once('close', () => {
      // 'finish' never comes when the client left with bytes still queued: settle here.
      if (res.writableFinished) resolve();
      else fail(new Error('client closed the connection'));
    });
    body.pipe(res);
  });
}

async function relay(s: RequestState, result: Extract<AttemptResult, { kind: 'response' }>): Promise<number> {
  const { res } = s.input;
  const { data } = result;
  try {
    res.writeHead(data.statusCode, responseHeadersForClient(data.headers));
    await pipeBody(data.body, res);
  } catch (err) {
    if (!s.signal.aborted) {
      s.deps.logger.warn({ peer: result.peer.id, err }, 'relaying the upstream response failed');
    }
    res.destroy();
  } finally {
    result.release();
  }
  return data.statusCode;
}

function noPeerCode(pick: Extract<SelectResult, { ok: false }>): BalancerErrorCode {
  return pick.code === LB_ERROR_CODES.ALL_AT_MAX_CONNS ? 'ALL_UPSTREAMS_BUSY' : 'NO_LIVE_UPSTREAM';
}

function answer(s: RequestState, code: BalancerErrorCode): number {
  sendError(s.input.res, code, CLIENT_MESSAGES[code] ?? code);
  return s.input.res.statusCode;
}

async function finish(s: RequestState, result: AttemptResult): Promise<number> {
  if (result.kind === 'response') return relay(s, result);
  if (result.kind === 'failure') return answer(s, result.error.code);
  return 499;
}

async function walk(s: RequestState): Promise<number> {
  const { upstream, clientIp, hashKey } = s.input;
  const { tries } = upstream.config.nextUpstream;
  const budget = upstream.retryBudget;
  const it = upstream.group.candidates({ now: s.started, clientIp, hashKey }, tries === 0 ? Number.MAX_SAFE_INTEGER : tries);
  let retries = 0;
  try {
    let next = it.next();
    if (next.done === true) return answer(s, 'NO_LIVE_UPSTREAM');
    if (!next.value.ok) return answer(s, noPeerCode(next.value));
    for (;;) {
      const result = await attempt(s, next.value.peer);
      const reason = mayRetry(s, result);
      if (reason === null) return await finish(s, result);
      if (!budget.tryAcquireRetry()) {
        s.deps.metrics.retry(upstream.name, 'budget_exhausted');
        return await finish(s, result);
      }
      retries += 1;
      next = it.next();
      if (next.done === true || !next.value.ok) return await finish(s, result);
      s.deps.metrics.retry(upstream.name, reason);
      if (result.kind === 'response') {
        await result.data.body.dump().catch((err: unknown) => s.deps.logger.warn({ err }, 'discarding a retried response failed'));
        result.release();
      }
    }
  } finally {
    for (let i = 0; i < retries; i++) budget.releaseRetry();
    it.return();
  }
}

/**
 * Aborts the upstream request when the client goes away before the response ended (NGINX
 * 499). An EventEmitter is undici's cheap alternative to an AbortSignal on the hot path.
 */
class ClientAbort extends EventEmitter {
  aborted = false;
  readonly onClose = (res: { writableEnded: boolean }): void => {
    if (res.writableEnded || this.aborted) return;
    this.aborted = true;
    this.emit('abort');
  };
}

export async function proxyRequest(input: ProxyInput, deps: ProxyDeps): Promise<ProxyOutcome> {
  const signal = new ClientAbort();
  const onClose = (): void => signal.onClose(input.res);
  input.res.once('close', onClose);
  const s: RequestState = { input, deps, started: deps.now(), signal, attempts: [] };
  input.upstream.retryBudget.requestStarted();
  try {
    const status = await walk(s);
    return { status, attempts: s.attempts };
  } finally {
    input.upstream.retryBudget.requestFinished();
    input.res.off('close', onClose);
  }
}
