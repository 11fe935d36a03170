import http, { type IncomingMessage } from 'node:http';
import type { Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import type { RouteConfig } from '@fleet/config';
import type { PickedPeer } from '@fleet/lb-core';
import { BALANCER_ERRORS } from './errors.js';
import type { ForwardHeaders } from './headers.js';
import { responseHeadersForClient } from './headers.js';
import { closeAfterWrite, writeRawError } from './raw-response.js';
import { CLIENT_MESSAGES } from './upstream-errors.js';
import type { RequestTrace } from './trace/request-trace.js';
import { REQUEST_ID_HEADER, TRACEPARENT_HEADER } from './trace/trace-context.js';
import { splitHostPort } from './upstreams/discovery.js';
import type { GroupView } from './upstreams/upstream.js';
import { exactTimeout, type ExactTimer } from './exact-timer.js';
import { walk, type AttemptControl, type AttemptResult, type Exchange, type RunningAttempt, type WalkDeps, type WalkOutcome } from './walk.js';

/**
 * WebSocket / `Upgrade` proxying through the same walk as plain requests (retries, passive
 * health, `tries`, time budget). The request head (and a Content-Length body) goes to the peer;
 * bytes the client sends after it are held back until the peer answers **101**: only then are
 * the two sockets spliced (NGINX tunnels only after a 101). Any other answer is relayed as a
 * normal response with `Connection: close` and the client connection is closed after it, so
 * nothing the client pipelined behind the upgrade request can reach the peer unchecked (request
 * smuggling). An open tunnel does not hold the peer's `max_conns` slot (it is released at the
 * 101) and is counted in `fleet_balancer_tunnels`; either side idle for the route's
 * `websocketIdleTimeoutMs` closes both.
 */
export interface UpgradeInput {
  req: IncomingMessage;
  socket: Duplex;
  upstream: GroupView;
  route: RouteConfig;
  path: string;
  headers: ForwardHeaders;
  /** The request's Content-Length body (usually empty). */
  body: Buffer;
  clientIp: string;
  hashKey?: string | undefined;
  /** Request id and trace context: each attempt sends a child span (`trace/`). */
  trace: RequestTrace;
}

export interface Tunnel {
  upstream: Socket;
  /** The peer's 101 head, as received. */
  response: IncomingMessage;
  /** Bytes the peer sent after its 101. */
  head: Buffer;
}

function timeoutError(code: string, ms: number): Error {
  return Object.assign(new Error(`no answer within ${ms} ms`), { code });
}

function upstreamRequest(input: UpgradeInput, peer: PickedPeer): http.ClientRequest {
  const { host, port } = splitHostPort(peer.address);
  const headers: Record<string, string | string[]> = { ...input.headers, connection: 'upgrade', upgrade: String(input.req.headers.upgrade ?? 'websocket') };
  headers[TRACEPARENT_HEADER] = input.trace.childTraceparent(peer.id);
  const method = input.req.method ?? 'GET';
  // Framing stated explicitly: node would send an empty POST chunked.
  if (input.body.length > 0 || (method !== 'GET' && method !== 'HEAD')) headers['content-length'] = String(input.body.length);
  const req = http.request({ host, port, method, path: input.path, headers, agent: false });
  req.end(input.body);
  return req;
}

/** A non-101 answer, relayed as a complete response; the client connection closes after it. */
function relayResponse(res: IncomingMessage, client: Duplex, settle: (r: AttemptResult) => void, requestId: string): void {
  const status = res.statusCode ?? 502;
  const lines = [`HTTP/1.1 ${status} ${res.statusMessage ?? ''}`, `${REQUEST_ID_HEADER}: ${requestId}`];
  for (const [name, value] of Object.entries(responseHeadersForClient(res.headers))) {
    for (const v of Array.isArray(value) ? value : [value]) lines.push(`${name}: ${v}`);
  }
  lines.push('connection: close');
  client.write(`${lines.join('\r\n')}\r\n\r\n`);
  res.pipe(client, { end: false });
  res.once('end', () => {
    closeAfterWrite(client);
    settle({ kind: 'relayed', status });
  });
  res.once('error', () => {
    client.destroy();
    settle({ kind: 'relayed', status });
  });
}

function startAttempt(input: UpgradeInput, peer: PickedPeer, control: AttemptControl, onTunnel: (t: Tunnel) => void): RunningAttempt {
  const { connectMs } = input.upstream.config.timeouts;
  let cancelled = false;
  let settled = false;
  let timer: ExactTimer | undefined;
  const settle = (r: AttemptResult): void => {
    if (settled) return;
    settled = true;
    timer?.clear();
    control.settled(r);
  };
  const req = upstreamRequest(input, peer);
  const fail = (err: Error): void => {
    req.destroy();
    settle(cancelled ? { kind: 'cancelled' } : { kind: 'failed', error: err });
  };
  timer = exactTimeout(connectMs, () => fail(timeoutError('UND_ERR_CONNECT_TIMEOUT', connectMs)));
  req.once('socket', (socket: Socket) => {
    socket.once('connect', () => {
      timer?.clear();
      const ms = control.headersTimeoutMs;
      if (ms > 0) timer = exactTimeout(ms, () => fail(timeoutError('UND_ERR_HEADERS_TIMEOUT', ms)));
    });
  });
  req.on('error', fail);
  req.on('upgrade', (res: IncomingMessage, socket: Socket, head: Buffer) => {
    timer?.clear();
    if (!control.decide(101)) {
      socket.destroy();
      return settle(cancelled ? { kind: 'cancelled' } : { kind: 'discarded', status: 101 });
    }
    onTunnel({ upstream: socket, response: res, head });
    settle({ kind: 'relayed', status: 101 });
  });
  req.on('response', (res: IncomingMessage) => {
    timer?.clear();
    const status = res.statusCode ?? 502;
    if (control.decide(status)) return relayResponse(res, input.socket, settle, input.trace.requestId);
    res.resume();
    req.destroy();
    settle(cancelled ? { kind: 'cancelled' } : { kind: 'discarded', status });
  });
  return {
    cancel: () => {
      cancelled = true;
      fail(new Error('cancelled'));
    },
  };
}

/** Write the peer's 101 to the client, hand over what each side sent early, then pipe both ways. */
export function splice(client: Duplex, tunnel: Tunnel, idleMs: number, onDone: () => void, requestId: string): void {
  const { response, upstream, head } = tunnel;
  const lines = [`HTTP/1.1 101 ${response.statusMessage ?? 'Switching Protocols'}`, `${REQUEST_ID_HEADER}: ${requestId}`];
  const raw = response.rawHeaders;
  for (let i = 0; i < raw.length; i += 2) if (raw[i]?.toLowerCase() !== REQUEST_ID_HEADER) lines.push(`${raw[i]}: ${raw[i + 1]}`);
  client.write(`${lines.join('\r\n')}\r\n\r\n`);
  if (head.length > 0) client.write(head);
  let done = false;
  const close = (): void => {
    if (done) return;
    done = true;
    client.destroy();
    upstream.destroy();
    onDone();
  };
  for (const s of [client, upstream]) {
    s.on('error', close).on('close', close);
    if ('setTimeout' in s && typeof s.setTimeout === 'function') (s as Socket).setTimeout(idleMs, close);
  }
  client.pipe(upstream);
  upstream.pipe(client);
}

/** Walk the peers until one answers; returns the outcome and, on a 101, the tunnel to splice. */
export async function proxyUpgrade(input: UpgradeInput, deps: WalkDeps): Promise<WalkOutcome & { tunnel?: Tunnel }> {
  let tunnel: Tunnel | undefined;
  let onGone: (() => void) | undefined;
  const exchange: Exchange = {
    replayable: true,
    hedgeable: false,
    start: (peer, control) => startAttempt(input, peer, control, (t) => (tunnel = t)),
    answer: (code) => {
      writeRawError(input.socket, code, CLIENT_MESSAGES[code] ?? code, { [REQUEST_ID_HEADER]: input.trace.requestId });
      return BALANCER_ERRORS[code];
    },
    onClientGone: (fn) => {
      onGone = fn;
      input.socket.once('close', fn);
    },
  };
  const { upstream, route, clientIp, hashKey } = input;
  try {
    const outcome = await walk({ upstream, route, method: input.req.method ?? 'GET', clientIp, hashKey }, exchange, deps);
    return tunnel === undefined ? outcome : { ...outcome, tunnel };
  } finally {
    if (onGone !== undefined) input.socket.off('close', onGone);
  }
}
