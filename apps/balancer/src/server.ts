import { readFileSync } from 'node:fs';
import http, { type IncomingMessage, type ServerResponse } from 'node:http';
import type { Http2Session } from 'node:http2';
import type { AddressInfo, Server, Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import type { BalancerConfig } from '@fleet/config';
import { sendError, type BalancerErrorCode } from './errors.js';
import { engineListener } from './engine-listener.js';
import { createRequestHandler, type HandlerContext } from './handler.js';
import { clientErrorCode, requestLineOverflow, serverLimitOptions } from './limits/index.js';
import { applyHttp1Limits, guardHttp2Session, http2LimitOptions, http2Settings, tlsHandshakeTimeout } from './listener-limits.js';
import { writeRawError } from './raw-response.js';
import { ALLOWED_METHODS } from './request-head.js';
import { requestIdFor } from './trace/request-trace.js';
import { REQUEST_ID_HEADER } from './trace/trace-context.js';
import { createUpgradeHandler } from './upgrade-handler.js';
import { LOCAL_RESOURCE_ERRORS } from './upstream-errors.js';

/**
 * Client-facing listeners: plain HTTP (proxying, or only redirecting to HTTPS), HTTPS with
 * TLS 1.2+ and, when asked, HTTP/2 with HTTP/1.1 fallback (ALPN). Header size and slowloris
 * timeouts are node:http options; parser errors are answered with the JSON error format.
 */
export interface Listeners {
  port: number;
  httpsPort?: number;
  servers: Server[];
  /** Upgraded (WebSocket) sockets, destroyed on shutdown. */
  sockets: Set<Duplex>;
  /** Every client TCP connection, destroyed when the drain deadline is over. */
  connections: Set<Socket>;
  /** Open HTTP/2 sessions: sent GOAWAY when shutdown starts, destroyed after the drain. */
  sessions: Set<Http2Session>;
  applyTimeouts(config: BalancerConfig): void;
}

type Handler = (req: IncomingMessage, res: ServerResponse) => void;

/** Listen and resolve the bound port (port 0 = ephemeral); rejects on a listen error. */
export function listen(server: Server, host: string, port: number): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve((server.address() as AddressInfo).port);
    });
  });
}

const CLIENT_ERROR_MESSAGES = {
  HEADERS_TOO_LARGE: 'request head over limits.maxHeaderSize',
  URI_TOO_LONG: 'request line too long: the head reached limits.maxHeaderSize before the line ended',
  REQUEST_TIMEOUT: 'request not received in time (limits.headersTimeoutMs, limits.requestTimeoutMs)',
  BAD_REQUEST: 'bad request',
} as const;

/**
 * What node:http answers by itself, answered in the JSON error format instead: parser errors
 * (400/431), header and request timeouts (408), unknown `Expect` (417), CONNECT (405). Every
 * such connection is closed and destroyed (`writeRawError`), never left half-open.
 */
/** `X-Request-Id` of an answer that is not proxied (a request that could not be parsed gets a new one). */
function requestIdOf(ctx: HandlerContext, req?: IncomingMessage): string {
  return req === undefined ? ctx.ids.requestId() : requestIdFor(req.headers, ctx.snapshots.get().forwarding.peerTrusted(req), ctx.ids);
}

function idHeader(ctx: HandlerContext, req?: IncomingMessage): Record<string, string> {
  return { [REQUEST_ID_HEADER]: requestIdOf(ctx, req) };
}

/** A client error answered on the raw socket (JSON body, connection closed): both listeners. */
function answerClientError(ctx: HandlerContext, socket: Duplex, code: BalancerErrorCode): void {
  writeRawError(socket, code, CLIENT_ERROR_MESSAGES[code as keyof typeof CLIENT_ERROR_MESSAGES] ?? 'bad request', idHeader(ctx));
}

function onClientError(server: Server, ctx: HandlerContext): void {
  server.on('clientError', (err: Error & { code?: string }, socket: Duplex) => {
    const code = requestLineOverflow(err, socket as Socket) ? 'URI_TOO_LONG' : clientErrorCode(err);
    if (code === null) socket.destroy();
    else answerClientError(ctx, socket, code);
  });
  server.on('checkExpectation', (req: IncomingMessage, res: ServerResponse) => {
    sendError(res, 'EXPECTATION_FAILED', 'only "Expect: 100-continue" is supported', { connection: 'close', ...idHeader(ctx, req) });
  });
  server.on('connect', (req: IncomingMessage, socket: Duplex) => {
    ctx.metrics.response('-', 405);
    writeRawError(socket, 'METHOD_NOT_ALLOWED', 'CONNECT is not supported', { allow: ALLOWED_METHODS, ...idHeader(ctx, req) });
  });
}

/** Accept failures: EMFILE and friends are the balancer's own limits, counted apart. */
function onListenerError(server: Server, ctx: HandlerContext): void {
  server.on('error', (err: Error & { code?: string }) => {
    const code = err.code ?? '';
    if (!LOCAL_RESOURCE_ERRORS.has(code)) return ctx.logger.error({ err }, 'listener error');
    ctx.metrics.localError(code);
    ctx.logger.warn({ code }, 'accept failed: the balancer is out of a local resource');
  });
}

const ignoreLateError = (): void => undefined;

/**
 * node:http fails a request whose client left mid-body (`abortIncoming`: 'aborted', ECONNRESET),
 * but emits the error only when someone listens, and it counts the listeners one tick before it
 * emits (`_http_incoming.js` `onError`). The relay of a streamed body lets go of the request in
 * between (the walk ends with the client's close), and an error with no listener left is
 * uncaught: the process exits. So every request node:http hands us keeps one listener that
 * ignores it, as the engine listener's `failRequest` does for its own requests.
 */
function keepingLateErrors(handler: Handler): Handler {
  return (req, res) => {
    req.on('error', ignoreLateError);
    handler(req, res);
  };
}

function redirectHandler(ctx: HandlerContext, host: string, httpsPort: () => number): Handler {
  return (req, res) => {
    res.setHeader(REQUEST_ID_HEADER, requestIdOf(ctx, req));
    const name = (req.headers.host ?? host).replace(/:\d+$/, '');
    const port = httpsPort();
    const location = `https://${name}${port === 443 ? '' : `:${port}`}${req.url ?? '/'}`;
    const status = req.method === 'GET' || req.method === 'HEAD' ? 301 : 308;
    res.writeHead(status, { location, 'content-length': '0' });
    res.end();
  };
}

/**
 * node:https / node:http2 (and TLS) are loaded only when HTTPS is configured: a plain HTTP
 * balancer does not pay their memory. Both get the plain listener's limits (listener-limits.ts).
 */
async function createTlsServer(
  config: NonNullable<BalancerConfig['https']>,
  limits: BalancerConfig['limits'],
  handler: Handler,
): Promise<{ server: Server; http2: boolean }> {
  const tls = { cert: readFileSync(config.cert), key: readFileSync(config.key), minVersion: 'TLSv1.2' as const };
  if (config.http2) {
    const http2 = await import('node:http2');
    const server = http2.createSecureServer({ ...tls, allowHTTP1: true, maxSessionMemory: 64, ...http2LimitOptions(limits) }, handler as never);
    return { server: server as unknown as Server, http2: true };
  }
  const https = await import('node:https');
  const options = { ...tls, ...serverLimitOptions(limits), requireHostHeader: false, handshakeTimeout: tlsHandshakeTimeout(limits) };
  return { server: https.createServer(options, handler), http2: false };
}

export async function startListeners(config: BalancerConfig, ctx: HandlerContext): Promise<Listeners> {
  const sockets = new Set<Duplex>();
  const sessions = new Set<Http2Session>();
  const connections = new Set<Socket>();
  const track = (server: Server): void => {
    ctx.stats.track(server);
    onListenerError(server, ctx);
    server.on('connection', (socket: Socket) => {
      connections.add(socket);
      socket.once('close', () => connections.delete(socket));
    });
  };
  const servers: Server[] = [];
  let limits = config.limits;
  let httpsPort = config.https?.port ?? 0;
  const proxyHandler = createRequestHandler(ctx, false);
  const plainHandler = config.https?.redirectHttp === true ? redirectHandler(ctx, config.listen.host, () => httpsPort) : proxyHandler;
  const plain = http.createServer({ ...serverLimitOptions(config.limits), requireHostHeader: false }, keepingLateErrors(plainHandler));
  if (plainHandler === proxyHandler) plain.on('upgrade', createUpgradeHandler(ctx, false, sockets));
  onClientError(plain, ctx);
  applyHttp1Limits(plain, limits);
  // listen.server: engine (the default) — the engine owns the plain listener's connections and
  // hands the heads it does not serve to `plain`, which then never listens itself
  // (engine-listener.ts). `server: node` and the HTTPS redirect listener stay on node:http.
  const front = config.listen.server === 'engine' && plainHandler === proxyHandler ? engineListener(ctx, plain, proxyHandler, () => limits, (socket, code) => answerClientError(ctx, socket, code)) : plain;
  track(front);
  servers.push(front);
  if (config.https !== undefined) {
    const tls = await createTlsServer(config.https, config.limits, keepingLateErrors(createRequestHandler(ctx, true)));
    const secure = tls.server;
    applyHttp1Limits(secure, limits);
    secure.on('upgrade', createUpgradeHandler(ctx, true, sockets));
    secure.on('session', (session: Http2Session) => {
      sessions.add(session);
      guardHttp2Session(session, () => limits);
      session.on('error', (err) => ctx.logger.debug({ err }, 'HTTP/2 session error'));
      session.once('close', () => sessions.delete(session));
    });
    onClientError(secure, ctx);
    track(secure);
    servers.push(secure);
    httpsPort = await listen(secure, config.listen.host, config.https.port);
  }
  const port = await listen(front, config.listen.host, config.listen.port);
  return {
    port,
    ...(config.https === undefined ? {} : { httpsPort }),
    servers,
    sockets,
    sessions,
    connections,
    applyTimeouts: (next) => {
      limits = next.limits;
      for (const server of front === plain ? servers : [plain, ...servers]) {
        applyHttp1Limits(server, limits);
        (server as { updateSettings?: (s: object) => void }).updateSettings?.(http2Settings(limits));
      }
    },
  };
}
