/**
 * Request ids and the request log. Fastify's genReqId (app.ts) takes the id from
 * `X-Request-Id` when acceptable (trace-context.ts) or generates one; this plugin returns it
 * in `X-Request-Id` on every response (errors included; BAD_URL answers set it in
 * errors.ts) and, with `accessLog` on, writes one JSON line per request when it completes:
 * `{"requestId", "traceId", "traceparent", "method", "path", "status", "durationMs", "msg": "request"}`.
 * Every other log line of a request (errors) carries `requestId` too.
 *
 * The lines go to `destination` when one is given (main.ts: a buffered SonicBoom on stdout,
 * written when 4 KiB collect, every second on an unref'd timer and when the app closes, like
 * the balancer's access log), else through the app's logger.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import type { DestinationStream, Logger } from 'pino';
import { parseTraceparent, REQUEST_ID_HEADER, TRACEPARENT_HEADER } from '../trace-context.js';

export interface AccessLogDestination {
  /** The logger the request lines are written with (same fields as the app's logger). */
  logger: Logger;
  /** Writes out what is buffered (on close). */
  flush(): Promise<void>;
}

export interface RequestContextOptions {
  accessLog: boolean;
  destination?: AccessLogDestination;
}

/** A pino stream that can be flushed (SonicBoom). */
type Flushable = DestinationStream & { flush?: (cb: (err?: Error | null) => void) => void };

/** Wraps a buffered stream as the access log's destination; `logger` carries the base fields. */
export function accessLogDestination(logger: Logger, stream: Flushable): AccessLogDestination {
  return {
    logger,
    flush: () =>
      new Promise<void>((resolve, reject) => {
        if (typeof stream.flush !== 'function') return resolve();
        // a descriptor that cannot fsync (pipe, tty) still got the lines
        stream.flush((err) => (err && (err as NodeJS.ErrnoException).code !== 'EINVAL' ? reject(err) : resolve()));
      }),
  };
}

function accessLog(app: FastifyInstance, destination: AccessLogDestination | undefined): void {
  const write = (request: FastifyRequest, reply: FastifyReply): void => {
    const trace = parseTraceparent(request.headers[TRACEPARENT_HEADER]);
    const logger = destination?.logger ?? request.log;
    logger.info(
      {
        ...(destination ? { requestId: request.id } : {}),
        ...(trace ? { traceId: trace.traceId, traceparent: trace.traceparent } : {}),
        method: request.method,
        path: request.url,
        status: reply.statusCode,
        durationMs: Math.round(reply.elapsedTime * 1000) / 1000,
      },
      'request',
    );
  };
  app.addHook('onResponse', (request, reply, done) => {
    write(request, reply);
    done();
  });
  if (destination) app.addHook('onClose', () => destination.flush());
}

export default fp<RequestContextOptions>(
  async (app, options) => {
    app.addHook('onRequest', (request, reply, done) => {
      reply.header(REQUEST_ID_HEADER, request.id);
      done();
    });
    if (options.accessLog) accessLog(app, options.destination);
  },
  { name: 'request-context', fastify: '5.x' },
);
