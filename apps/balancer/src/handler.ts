import type { IncomingMessage, ServerResponse } from 'node:http';
import { Readable } from 'node:stream';
import { setTimeout as delay } from 'node:timers/promises';
import type { Logger } from 'pino';
import type { AccessLog } from './access-log.js';
import { BalancerError, sendError } from './errors.js';
import type { ClientInfo } from './forwarded.js';
import { requestHeadersForUpstream, type ForwardHeaders } from './headers.js';
import { limitStream } from './limits/index.js';
import { spoolBody, type MemoryBudget, type SpooledBody } from './limits/spool.js';
import type { Metrics } from './metrics.js';
import { proxyRequest, type AttemptRecord, type ProxyInput, type ProxyOutcome } from './proxy.js';
import type { WalkEnd } from './walk.js';
import { parseTarget, UnsafePath, type RequestTarget } from './request-target.js';
import type { RouteMatch } from './routes.js';
import type { Snapshot, SnapshotCell } from './snapshot.js';
import type { IdSource } from './trace/ids.js';
import { RequestTrace } from './trace/request-trace.js';
import { REQUEST_ID_HEADER } from './trace/trace-context.js';
import type { ConnectionStats } from './status.js';
import { ALLOWED_METHODS, checkRequestHead } from './request-head.js';
import type { GroupView } from './upstreams/upstream.js';

/**
 * The request pipeline: client info (trusted proxies) → limits → static files → route →
 * body (buffered or streamed) → proxy. Every answer is counted, measured and access-logged.
 * A request captures the config snapshot when it starts and uses only that one to its end.
 */
export interface HandlerContext {
  snapshots: SnapshotCell;
  stats: ConnectionStats;
  metrics: Metrics;
  accessLog: AccessLog;
  logger: Logger;
  now(): number;
  closing(): boolean;
  /** Request-body bytes held in memory, process-wide (`limits.clientBodyMemory`). */
  bodyMemory: MemoryBudget;
  /** Request, trace and span ids (`trace/`). */
  ids: IdSource;
}

export interface Outcome {
  status: number;
  clientIp: string;
  route?: string;
  upstream?: string;
  attempts: AttemptRecord[];
  /** An upgrade that became a tunnel (logged when the tunnel closes). */
  tunnel?: boolean;
  trace: RequestTrace;
}

/** The request's id and trace context (`trace/`); its id goes on every answer from here on. */
export function startTrace(ctx: HandlerContext, st: Snapshot, req: IncomingMessage): RequestTrace {
  return new RequestTrace(req.headers, st.forwarding.peerTrusted(req), ctx.ids);
}

function parseUrl(req: IncomingMessage): RequestTarget {
  try {
    // Stryker disable next-line StringLiteral: never evaluated: node:http and the engine listener always set req.url
    return parseTarget(req.url ?? '/');
  } catch (err) {
    throw new BalancerError('BAD_REQUEST', err instanceof UnsafePath ? err.message : 'malformed request target');
  }
}

function hasBody(req: IncomingMessage): boolean {
  const h2 = (req as { stream?: { endAfterHeaders?: boolean } }).stream;
  if (h2 !== undefined) return h2.endAfterHeaders !== true; // HTTP/2: END_STREAM on HEADERS = no body
  const length = req.headers['content-length'];
  return req.headers['transfer-encoding'] !== undefined || (length !== undefined && length !== '0');
}

/** The body temp dir disappeared at run time: logged with a code and counted (local errors). */
function tempDirEvent(ctx: HandlerContext, event: 'recreated' | 'unusable', dir: string, reason: string): void {
  if (event === 'recreated') {
    ctx.metrics.localError('CLIENT_BODY_TEMP_PATH_RECREATED');
    ctx.logger.warn({ code: 'CLIENT_BODY_TEMP_PATH_RECREATED', dir, reason }, 'limits.clientBodyTempPath had disappeared: made again');
  } else {
    ctx.metrics.localError('CLIENT_BODY_TEMP_PATH_UNUSABLE');
    ctx.logger.error({ code: 'CLIENT_BODY_TEMP_PATH_UNUSABLE', dir, reason }, 'limits.clientBodyTempPath is unusable: request body not spooled');
  }
}

/** Only called when the request has a body (no promise and no await per body-less request). */
async function requestBody(ctx: HandlerContext, { config, bodyTempDir }: Snapshot, req: IncomingMessage): Promise<SpooledBody | Readable> {
  const { limits } = config;
  if (!config.requestBuffering) return limitStream(req, limits.clientMaxBodySize);
  ctx.stats.readingStarted();
  try {
    return await spoolBody(req, {
      maxBytes: limits.clientMaxBodySize,
      idleTimeoutMs: limits.requestTimeoutMs,
      bufferBytes: limits.clientBodyBufferSize,
      memoryLimit: limits.clientBodyMemory,
      budget: ctx.bodyMemory,
      tempDir: bodyTempDir,
      onTempDir: (event, dir, reason) => tempDirEvent(ctx, event, dir, reason),
    });
  } finally {
    ctx.stats.readingFinished();
  }
}

export interface Target {
  match: RouteMatch;
  upstream: GroupView;
  headers: ForwardHeaders;
  hashKey: string | undefined;
}

/** Route → upstream group → headers to send and the hash key (shared by requests and upgrades). */
export function target(st: Snapshot, req: IncomingMessage, info: ClientInfo, url: RequestTarget, trace: RequestTrace): Target {
  const match = st.router.match(url.pathname, url.search);
  if (match === undefined) throw new BalancerError('NO_ROUTE', 'no route for this path');
  const upstream = st.groups.get(match.upstream);
  // Stryker disable next-line StringLiteral: unreachable message: the config refuses a route to a group it does not define (a reload swaps routes and groups together)
  if (upstream === undefined) throw new BalancerError('NO_LIVE_UPSTREAM', 'no live upstream server');
  // One copy of the client's headers; X-Forwarded-* are set on it (same keys, order and values as a spread of both).
  const headers: ForwardHeaders = Object.assign(requestHeadersForUpstream(req.headers), st.forwarding.headersFor(req, info));
  trace.applyTo(headers);
  return { match, upstream, headers, hashKey: st.hashKeys.get(upstream.name)?.(req, info, url) };
}

export interface Admitted {
  info: ClientInfo;
  url: RequestTarget;
  delayMs: number;
}

/** Head rules, client info, URL and the limits (throws their BalancerError; returns a rate-limit delay). */
export function admit(st: Snapshot, req: IncomingMessage, tls: boolean): Admitted {
  const info = st.forwarding.clientInfo(req, tls);
  const url = parseUrl(req);
  const limited = st.limits.check(req, info, url);
  if (limited instanceof BalancerError) throw limited;
  return { info, url, delayMs: limited?.delayMs ?? 0 };
}

/**
 * `OPTIONS *` → 200 with `Allow`, once the request is complete (as for every other request): a
 * malformed message pipelined behind it gets its 400 first and closes the connection, as in
 * node:http, instead of trailing a 200.
 */
function answerOptionsStar(req: IncomingMessage, res: ServerResponse, out: Outcome): Promise<void> {
  return new Promise((resolve) => {
    let done = false;
    const finish = (ended: boolean): void => {
      if (done) return;
      done = true;
      if (ended && !res.writableEnded && !res.destroyed && res.socket?.writable !== false) {
        res.writeHead(200, { allow: ALLOWED_METHODS, 'content-length': '0' });
        res.end();
        out.status = 200;
      } else out.status = ended ? 400 : 499;
      resolve();
    };
    req.once('end', () => finish(true));
    req.once('close', () => finish(false));
    req.resume();
  });
}

/**
 * A request's end, once: `done`, or `fail` (answers the error, then is done); on the common path
 * also the walk's `WalkEnd`. One object per request (no closure per way to end).
 */
class RequestEnd implements WalkEnd {
  constructor(
    private readonly ctx: HandlerContext,
    private readonly req: IncomingMessage,
    private readonly res: ServerResponse,
    private readonly st: Snapshot,
    private readonly started: number,
    readonly out: Outcome,
  ) {}

  done(): void {
    finished(this.ctx, this.req, this.st, this.started, this.out);
  }

  fail(err: unknown): void {
    try {
      failed(this.ctx, this.req, this.res, this.out, err);
    } finally {
      this.done();
    }
  }

  walkEnded(result: ProxyOutcome): void {
    proxied(this.out, result);
    this.done();
  }

  walkFailed(err: unknown): void {
    this.fail(err);
  }
}

/**
 * Admit, route and proxy. The common request (no rate-limit delay, no static files, no body)
 * goes straight to the walk with no `await` and no promise of its own; the others take
 * `routeSlowly`. Throws synchronously what `admit` and `target` refuse.
 */
function route(ctx: HandlerContext, st: Snapshot, req: IncomingMessage, res: ServerResponse, tls: boolean, end: RequestEnd): void {
  const { out } = end;
  const admitted = admit(st, req, tls);
  out.clientIp = admitted.info.clientIp;
  // Stryker disable next-line ConditionalExpression,LogicalOperator,EqualityOperator: equivalent: routeSlowly does the same for a request that needs none of its steps (this path only saves its promise)
  if (admitted.delayMs > 0 || st.serveStatic !== null || hasBody(req)) {
    routeSlowly(ctx, st, req, res, out, admitted).then(
      () => end.done(),
      (err: unknown) => end.fail(err),
    );
    return;
  }
  const t = chosen(st, req, admitted, out);
  proxyRequest(proxyInput(req, res, t, null, admitted, out.trace), ctx, end);
}

/** The route's target, recorded on the outcome. */
function chosen(st: Snapshot, req: IncomingMessage, { info, url }: Admitted, out: Outcome): Target {
  const t = target(st, req, info, url, out.trace);
  out.route = t.match.route.prefix;
  out.upstream = t.match.upstream;
  return t;
}

function proxyInput(req: IncomingMessage, res: ServerResponse, t: Target, body: ProxyInput['body'], { info }: Admitted, trace: RequestTrace): ProxyInput {
  const { match, upstream, headers, hashKey } = t;
  return { req, res, upstream, route: match.route, path: match.upstreamPath, headers, body, clientIp: info.clientIp, hashKey, trace };
}

function proxied(out: Outcome, result: ProxyOutcome): void {
  out.status = result.status;
  out.attempts = result.attempts;
}

/** A rate-limit delay, static files or a request body: awaited step by step. */
async function routeSlowly(ctx: HandlerContext, st: Snapshot, req: IncomingMessage, res: ServerResponse, out: Outcome, admitted: Admitted): Promise<void> {
  // Stryker disable next-line ConditionalExpression,EqualityOperator: equivalent: a zero delay only waits one timer tick
  if (admitted.delayMs > 0) await delay(admitted.delayMs);
  if (st.serveStatic !== null && (await st.serveStatic(req, res, admitted.url))) {
    out.status = res.statusCode;
    return;
  }
  const t = chosen(st, req, admitted, out);
  const body = hasBody(req) ? await requestBody(ctx, st, req) : null;
  const spooled = body === null || body instanceof Readable ? undefined : body;
  if (spooled !== undefined) t.headers['content-length'] = String(spooled.size);
  try {
    const input = proxyInput(req, res, t, body, admitted, out.trace);
    proxied(out, await new Promise<ProxyOutcome>((resolve, reject) => proxyRequest(input, ctx, { walkEnded: resolve, walkFailed: reject })));
  } finally {
    await spooled?.close();
  }
}

/** HTTP/2 forbids connection-specific headers (node throws on them). */
function forProtocol(req: IncomingMessage, headers: Record<string, string>): Record<string, string> {
  // Stryker disable next-line ConditionalExpression,EqualityOperator: equivalent in answers: node's HTTP/2 compat layer drops a connection header itself (one UnsupportedWarning per process)
  if (req.httpVersionMajor < 2 || headers.connection === undefined) return headers;
  const { connection: _dropped, ...rest } = headers;
  return rest;
}

function handle(ctx: HandlerContext, req: IncomingMessage, res: ServerResponse, tls: boolean): void {
  const started = ctx.now();
  ctx.stats.requestStarted();
  const st = ctx.snapshots.enter();
  const out: Outcome = { status: 0, attempts: [], clientIp: req.socket?.remoteAddress ?? '', trace: startTrace(ctx, st, req) };
  const end = new RequestEnd(ctx, req, res, st, started, out);
  try {
    res.setHeader(REQUEST_ID_HEADER, out.trace.requestId);
    if (ctx.closing() && req.httpVersionMajor < 2) res.setHeader('connection', 'close');
    // Checked synchronously, so a refused head is answered at once: node:http destroys the
    // socket of a `PRI` request (the HTTP/2 preface's method) as soon as this handler returns,
    // and an answer written a microtask later would be lost.
    const head = checkRequestHead(req, st.config.limits);
    if (head instanceof BalancerError) throw head;
    if (head === 'options-star') void answerOptionsStar(req, res, out).then(() => end.done());
    else route(ctx, st, req, res, tls, end);
  } catch (err) {
    end.fail(err);
  }
}

/** The pipeline threw: a BalancerError is answered with its status, anything else is a logged 500. */
function failed(ctx: HandlerContext, req: IncomingMessage, res: ServerResponse, out: Outcome, err: unknown): void {
  if (err instanceof BalancerError) {
    sendError(res, err.code, err.message, forProtocol(req, err.headers), err.status);
    out.status = err.status;
    if (err.code === 'CLIENT_CLOSED_REQUEST') ctx.logger.debug({ code: err.code, url: req.url }, err.message);
  } else {
    ctx.logger.error({ err, url: req.url }, 'request pipeline failed');
    sendError(res, 'INTERNAL_ERROR', 'internal error');
    out.status = 500;
  }
}

/** Every request ends here once: its snapshot released, counted, measured and access-logged. */
function finished(ctx: HandlerContext, req: IncomingMessage, st: Snapshot, started: number, out: Outcome): void {
  ctx.snapshots.leave(st);
  ctx.stats.requestFinished();
  ctx.metrics.response(out.route ?? '-', out.status);
  if (ctx.accessLog.enabled) writeAccessLog(ctx, req, started, out);
}

export function writeAccessLog(ctx: HandlerContext, req: IncomingMessage, started: number, out: Outcome): void {
  ctx.accessLog.write({
    time: new Date().toISOString(),
    // Stryker disable next-line StringLiteral: never evaluated: node:http and the engine listener always set req.method and req.url
    method: req.method ?? 'GET',
    // Stryker disable next-line StringLiteral: never evaluated (as above)
    path: req.url ?? '/',
    status: out.status,
    durationMs: ctx.now() - started,
    clientIp: out.clientIp,
    requestId: out.trace.requestId,
    traceId: out.trace.traceId,
    ...(out.trace.parentId === undefined ? {} : { parentId: out.trace.parentId }),
    ...(out.route === undefined ? {} : { route: out.route }),
    ...(out.tunnel === true ? { tunnel: true } : {}),
    ...(out.upstream === undefined ? {} : { upstream: out.upstream }),
    attempts: out.trace.withSpans(out.attempts),
  });
}

export function createRequestHandler(ctx: HandlerContext, tls: boolean) {
  return (req: IncomingMessage, res: ServerResponse): void => handle(ctx, req, res, tls);
}
