import type { IncomingMessage, ServerResponse } from 'node:http';
import { Readable } from 'node:stream';
import type { Dispatcher } from 'undici';
import type { RouteConfig } from '@fleet/config';
import type { PickedPeer } from '@fleet/lb-core';
import { sendError, type BalancerErrorCode } from './errors.js';
import type { ForwardHeaders } from './headers.js';
import type { SpooledBody } from './limits/spool.js';
import type { RequestTrace } from './trace/request-trace.js';
import { CLIENT_MESSAGES } from './upstream-errors.js';
import { relayUpstream } from './upstream-relay.js';
import { PeerPool } from './engine/upstream/pool.js';
import { relayEngine } from './engine/upstream/relay.js';
import type { GroupView } from './upstreams/upstream.js';
import { NOTHING_TO_CANCEL } from './attempt.js';
import { startWalk, type AttemptControl, type Exchange, type RunningAttempt, type WalkDeps, type WalkEnd, type WalkOutcome } from './walk.js';

/**
 * Forward one plain HTTP request: the walk (`walk.ts`) picks peers and decides; this module
 * only runs attempts through the peer's pool (the engine's client or undici's) and streams the chosen answer to the
 * client. Buffered and spooled bodies can be sent again (retries, hedges); a streamed body
 * only once.
 */
export interface ProxyInput {
  req: IncomingMessage;
  res: ServerResponse;
  upstream: GroupView;
  route: RouteConfig;
  path: string;
  headers: ForwardHeaders;
  /** Buffer or spooled (replayable), a stream (not replayable) or null (no body). */
  body: Buffer | SpooledBody | Readable | null;
  clientIp: string;
  hashKey?: string | undefined;
  /** Request id and trace context: each attempt sends a child span (`trace/`). */
  trace: RequestTrace;
}

export type { AttemptRecord } from './walk.js';
export type ProxyOutcome = WalkOutcome;
export type ProxyDeps = WalkDeps;

/** A peer that left the set between the pick and the attempt (reload, DNS): nothing was sent. */
function peerRemoved(): Error {
  // Stryker disable next-line StringLiteral: the message is never read (the walk records and logs the error's code; the PEER_REMOVED code is tested)
  return Object.assign(new Error('peer has no connection pool (removed from the group)'), { code: 'PEER_REMOVED' });
}

function bodyFor(body: ProxyInput['body']): Buffer | Readable | null {
  if (body === null || Buffer.isBuffer(body) || body instanceof Readable) return body;
  return body.open();
}

function startAttempt(input: ProxyInput, peer: PickedPeer, control: AttemptControl): RunningAttempt {
  const pool = input.upstream.pool(peer.id);
  if (pool === undefined) {
    control.settled({ kind: 'failed', error: peerRemoved() });
    return NOTHING_TO_CANCEL;
  }
  // Stryker disable next-line StringLiteral: never evaluated: node:http and the engine listener always set req.method
  const method = input.req.method ?? 'GET';
  const headers = input.trace.attemptHeaders(input.headers, peer.id);
  if (pool instanceof PeerPool) return relayEngine(pool, { method, path: input.path, headers, body: bodyFor(input.body) }, input.res, control);
  const options: Dispatcher.DispatchOptions = { path: input.path, method: method as Dispatcher.HttpMethod, headers, body: bodyFor(input.body) };
  return relayUpstream(pool, options, input.res, control);
}

/**
 * The plain request's side of the walk: starts attempts, answers balancer errors, and watches
 * the client (NGINX 499) until the walk ends, then passes the end on. One object per request (no
 * closure per method).
 */
class ProxyExchange implements Exchange, WalkEnd {
  readonly replayable: boolean;
  readonly hedgeable = true;
  private onGone: (() => void) | undefined;
  private readonly onClose = (): void => {
    if (!this.input.res.writableEnded) this.onGone?.();
  };

  constructor(
    private readonly input: ProxyInput,
    private readonly end: WalkEnd,
  ) {
    this.replayable = !(input.body instanceof Readable);
  }

  start(peer: PickedPeer, control: AttemptControl): RunningAttempt {
    return startAttempt(this.input, peer, control);
  }

  answer(code: BalancerErrorCode): number {
    const { res } = this.input;
    sendError(res, code, CLIENT_MESSAGES[code] ?? code, code === 'LOCAL_RESOURCES_EXHAUSTED' ? { 'retry-after': '1' } : {});
    return res.statusCode;
  }

  /** Calls `fn` once when the client leaves before its response ended. */
  onClientGone(fn: () => void): void {
    this.onGone = fn;
    this.input.res.on('close', this.onClose);
  }

  walkEnded(outcome: WalkOutcome): void {
    this.unwatch();
    this.end.walkEnded(outcome);
  }

  walkFailed(err: unknown): void {
    this.unwatch();
    this.end.walkFailed(err);
  }

  private unwatch(): void {
    // Stryker disable next-line StringLiteral: equivalent: once the walk ended, a late 'close' only pushes an event the walk ignores
    this.input.res.off('close', this.onClose);
  }
}

/**
 * Proxy one request: `end.walkEnded` once with the outcome, `end.walkFailed` if the walk failed
 * (not for upstream failures). Throws only when the walk cannot start (before the client is watched).
 */
export function proxyRequest(input: ProxyInput, deps: ProxyDeps, end: WalkEnd): void {
  const exchange = new ProxyExchange(input, end);
  const { upstream, route, clientIp, hashKey } = input;
  startWalk({ upstream, route, method: input.req.method ?? 'GET', clientIp, hashKey }, exchange, deps, exchange);
}
