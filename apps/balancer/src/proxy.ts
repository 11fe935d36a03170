import type { IncomingMessage, ServerResponse } from 'node:http';
import { Readable } from 'node:stream';
import type { Dispatcher } from 'undici';
import type { RouteConfig } from '@fleet/config';
import type { PickedPeer } from '@fleet/lb-core';
import { sendError } from './errors.js';
import type { ForwardHeaders } from './headers.js';
import type { SpooledBody } from './limits/spool.js';
import type { RequestTrace } from './trace/request-trace.js';
import { CLIENT_MESSAGES } from './upstream-errors.js';
import { relayUpstream } from './upstream-relay.js';
import { PeerPool } from './engine/upstream/pool.js';
import { relayEngine } from './engine/upstream/relay.js';
import type { GroupView } from './upstreams/upstream.js';
import { walk, type AttemptControl, type Exchange, type RunningAttempt, type WalkDeps, type WalkOutcome } from './walk.js';

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
  if (pool === undefined) return { done: Promise.resolve({ kind: 'failed', error: peerRemoved() }), cancel: () => undefined };
  // Stryker disable next-line StringLiteral: never evaluated: node:http and the engine listener always set req.method
  const method = input.req.method ?? 'GET';
  const headers = input.trace.attemptHeaders(input.headers, peer.id);
  if (pool instanceof PeerPool) return relayEngine(pool, { method, path: input.path, headers, body: bodyFor(input.body) }, input.res, control);
  const options: Dispatcher.DispatchOptions = { path: input.path, method: method as Dispatcher.HttpMethod, headers, body: bodyFor(input.body) };
  return relayUpstream(pool, options, input.res, control);
}

/** Calls `fn` once when the client leaves before its response ended (NGINX 499). */
function watchClient(res: ServerResponse, fn: () => void): () => void {
  const onClose = (): void => {
    if (!res.writableEnded) fn();
  };
  res.on('close', onClose);
  // Stryker disable next-line ArrowFunction,StringLiteral: equivalent: once the walk returned, a late 'close' only pushes an event nobody awaits
  return () => res.off('close', onClose);
}

export async function proxyRequest(input: ProxyInput, deps: ProxyDeps): Promise<ProxyOutcome> {
  let unwatch: () => void = () => undefined;
  const exchange: Exchange = {
    replayable: !(input.body instanceof Readable),
    hedgeable: true,
    start: (peer, control) => startAttempt(input, peer, control),
    answer: (code) => {
      sendError(input.res, code, CLIENT_MESSAGES[code] ?? code, code === 'LOCAL_RESOURCES_EXHAUSTED' ? { 'retry-after': '1' } : {});
      return input.res.statusCode;
    },
    onClientGone: (fn) => {
      unwatch = watchClient(input.res, fn);
    },
  };
  const { upstream, route, clientIp, hashKey } = input;
  try {
    // Stryker disable next-line StringLiteral: never evaluated: node:http and the engine listener always set req.method
    return await walk({ upstream, route, method: input.req.method ?? 'GET', clientIp, hashKey }, exchange, deps);
  } finally {
    unwatch();
  }
}
