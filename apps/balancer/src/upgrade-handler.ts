import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { setTimeout as delay } from 'node:timers/promises';
import { BalancerError } from './errors.js';
import { admit, startTrace, target, writeAccessLog, type HandlerContext, type Outcome } from './handler.js';
import { bodyTooLarge, clientClosed, idleTimer } from './limits/body.js';
import { writeRawError } from './raw-response.js';
import { checkRequestHead } from './request-head.js';
import type { Snapshot } from './snapshot.js';
import { REQUEST_ID_HEADER } from './trace/trace-context.js';
import { proxyUpgrade, splice } from './upgrade.js';

/**
 * The `upgrade` event of the HTTP/1 listeners: the same head rules, limits and route as a plain
 * request, then `upgrade.ts`. Every upgrade is counted, measured and access-logged: a refused
 * one when it is answered, a tunnel (status 101, `tunnel: true`) when it closes.
 */
interface Split {
  body: Buffer;
  /** Bytes after the request (and its body): held until the peer's 101. */
  rest: Buffer;
}

/** The request's Content-Length body out of `head` and, if it is longer, the socket. */
function readUpgradeBody(socket: Duplex, head: Buffer, length: number, idleMs: number): Promise<Split> {
  if (head.length >= length) return Promise.resolve({ body: head.subarray(0, length), rest: head.subarray(length) });
  return new Promise((resolve, reject) => {
    const chunks = [head];
    let got = head.length;
    const cleanup = (): void => {
      clearTimeout(timer);
      socket.off('data', onData).off('close', onClose);
      socket.pause();
    };
    const timer = idleTimer(idleMs, (err) => {
      cleanup();
      reject(err);
    });
    const onData = (chunk: Buffer): void => {
      chunks.push(chunk);
      got += chunk.length;
      timer?.refresh();
      if (got < length) return;
      cleanup();
      const all = Buffer.concat(chunks, got);
      resolve({ body: all.subarray(0, length), rest: all.subarray(length) });
    };
    const onClose = (): void => {
      cleanup();
      reject(clientClosed());
    };
    socket.on('data', onData).once('close', onClose);
  });
}

function declaredBody(st: Snapshot, req: IncomingMessage): number {
  if (req.headers['transfer-encoding'] !== undefined) {
    throw new BalancerError('BAD_REQUEST', 'an Upgrade request with a chunked body is not supported', { connection: 'close' });
  }
  const length = Number(req.headers['content-length'] ?? 0);
  const max = st.config.limits.clientMaxBodySize;
  if (max > 0 && length > max) throw bodyTooLarge(max);
  return length;
}

async function upgrade(ctx: HandlerContext, st: Snapshot, req: IncomingMessage, socket: Duplex, head: Buffer, tls: boolean, out: Outcome): Promise<(() => void) | undefined> {
  const check = checkRequestHead(req, st.config.limits);
  if (check instanceof BalancerError) throw check;
  if (check === 'options-star') throw new BalancerError('BAD_REQUEST', 'OPTIONS * cannot be upgraded');
  const { info, url, delayMs } = admit(st, req, tls);
  out.clientIp = info.clientIp;
  if (delayMs > 0) await delay(delayMs);
  const { match, upstream, headers, hashKey } = target(st, req, info, url, out.trace);
  out.route = match.route.prefix;
  out.upstream = match.upstream;
  const { body, rest } = await readUpgradeBody(socket, head, declaredBody(st, req), st.config.limits.requestTimeoutMs);
  const input = { req, socket, upstream, route: match.route, path: match.upstreamPath, headers, body, clientIp: info.clientIp, hashKey, trace: out.trace };
  const result = await proxyUpgrade(input, ctx);
  out.status = result.status;
  out.attempts = result.attempts;
  const tunnel = result.tunnel;
  if (tunnel === undefined) return undefined;
  out.tunnel = true;
  if (rest.length > 0) tunnel.upstream.write(rest);
  ctx.metrics.tunnel(upstream.name, 1);
  return () => splice(socket, tunnel, match.route.websocketIdleTimeoutMs, () => ctx.metrics.tunnel(upstream.name, -1), out.trace.requestId);
}

function fail(ctx: HandlerContext, req: IncomingMessage, socket: Duplex, err: unknown, requestId: string): number {
  const id = { [REQUEST_ID_HEADER]: requestId };
  if (err instanceof BalancerError) return writeRawError(socket, err.code, err.message, { ...err.headers, ...id }) || err.status;
  ctx.logger.error({ err, url: req.url }, 'upgrade failed');
  writeRawError(socket, 'INTERNAL_ERROR', 'internal error', id);
  return 500;
}

export function createUpgradeHandler(ctx: HandlerContext, tls: boolean, sockets: Set<Duplex>) {
  return (req: IncomingMessage, socket: Duplex, head: Buffer): void => {
    sockets.add(socket);
    socket.on('error', (err) => ctx.logger.debug({ err, url: req.url }, 'upgraded client socket error'));
    socket.once('close', () => sockets.delete(socket));
    const started = ctx.now();
    const st = ctx.snapshots.enter();
    const out: Outcome = { status: 0, attempts: [], clientIp: req.socket?.remoteAddress ?? '', trace: startTrace(ctx, st, req) };
    const done = (): void => {
      ctx.metrics.response(out.route ?? '-', out.status);
      if (ctx.accessLog.enabled) writeAccessLog(ctx, req, started, out);
    };
    ctx.stats.requestStarted();
    upgrade(ctx, st, req, socket, head, tls, out)
      .then(
        (open) => {
          if (open === undefined) return done();
          socket.once('close', done);
          open();
        },
        (err: unknown) => {
          out.status = fail(ctx, req, socket, err, out.trace.requestId);
          done();
        },
      )
      .finally(() => {
        ctx.snapshots.leave(st);
        ctx.stats.requestFinished();
      });
  };
}
