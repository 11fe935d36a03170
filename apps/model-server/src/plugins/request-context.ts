/**
 * Request ids and the request log. Fastify's genReqId (app.ts) takes the id from
 * `X-Request-Id` when acceptable (trace-context.ts) or generates one; this plugin returns it
 * in `X-Request-Id` on every response (errors included; BAD_URL answers set it in
 * errors.ts) and, with `accessLog` on, writes one JSON line per request when it completes:
 * `{"requestId", "traceId", "traceparent", "method", "path", "status", "durationMs", "msg": "request"}`.
 * Every other log line of a request (errors) carries `requestId` too.
 */
import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';
import { parseTraceparent, REQUEST_ID_HEADER, TRACEPARENT_HEADER } from '../trace-context.js';

function accessLog(app: FastifyInstance): void {
  app.addHook('onResponse', async (request, reply) => {
    const trace = parseTraceparent(request.headers[TRACEPARENT_HEADER]);
    request.log.info(
      {
        ...(trace ? { traceId: trace.traceId, traceparent: trace.traceparent } : {}),
        method: request.method,
        path: request.url,
        status: reply.statusCode,
        durationMs: Math.round(reply.elapsedTime * 1000) / 1000,
      },
      'request',
    );
  });
}

export default fp<{ accessLog: boolean }>(
  async (app, options) => {
    app.addHook('onRequest', async (request, reply) => {
      reply.header(REQUEST_ID_HEADER, request.id);
    });
    if (options.accessLog) accessLog(app);
  },
  { name: 'request-context', fastify: '5.x' },
);
