/**
 * Prometheus metrics on a registry of this app (never the global one, so several apps can live
 * in one process): requests by route and status, end-to-end / queue / inference time, batch
 * sizes, queue depth and in-flight gauges, requests refused for overload (by code) and the
 * queue bound, a model info gauge, and the default process metrics.
 */
import fp from 'fastify-plugin';
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import { ERROR_CODES, type ErrorCode } from '../errors.js';

const LATENCY_BUCKETS = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];
const BATCH_BUCKETS = [1, 2, 4, 8, 16, 32, 64, 128, 256];

/** The overload answers counted by `model_server_rejected_requests_total{code}`. */
export const REJECTION_CODES: ReadonlySet<ErrorCode> = new Set<ErrorCode>([ERROR_CODES.QUEUE_FULL, ERROR_CODES.SHUTTING_DOWN]);

export function createMetrics() {
  const requestsInFlight = { count: 0 };
  const registry = new Registry();
  const registers = [registry];
  const metrics = {
    registry,
    requests: new Counter({
      name: 'model_server_requests_total',
      help: 'HTTP requests by route, method and status code',
      labelNames: ['route', 'method', 'status'] as const,
      registers,
    }),
    requestDuration: new Histogram({
      name: 'model_server_request_duration_seconds',
      help: 'End-to-end request time, from the first byte to the response',
      labelNames: ['route', 'method', 'status'] as const,
      buckets: LATENCY_BUCKETS,
      registers,
    }),
    queueTime: new Histogram({
      name: 'model_server_queue_duration_seconds',
      help: 'Time a request waited in the batching queue',
      buckets: LATENCY_BUCKETS,
      registers,
    }),
    inferenceTime: new Histogram({
      name: 'model_server_inference_duration_seconds',
      help: 'Time of one batch inside the worker (featurization + session.run)',
      buckets: LATENCY_BUCKETS,
      registers,
    }),
    batchSize: new Histogram({
      name: 'model_server_batch_size',
      help: 'Rows per dispatched batch',
      buckets: BATCH_BUCKETS,
      registers,
    }),
    queueDepth: new Gauge({ name: 'model_server_queue_depth', help: 'Requests waiting in the batching queue', registers }),
    batchesInFlight: new Gauge({ name: 'model_server_batches_in_flight', help: 'Batches running on workers', registers }),
    inFlight: new Gauge({
      name: 'model_server_requests_in_flight',
      help: 'HTTP requests being handled',
      registers,
      // a plain count kept by the hooks below, read when the gauge is collected
      collect() {
        this.set(requestsInFlight.count);
      },
    }),
    modelInfo: new Gauge({
      name: 'model_server_model_info',
      help: 'The loaded model (value 1)',
      labelNames: ['name', 'version', 'kind', 'server_id'] as const,
      registers,
    }),
    ready: new Gauge({ name: 'model_server_ready', help: '1 when the replica is ready to serve', registers }),
    rejected: new Counter({
      name: 'model_server_rejected_requests_total',
      help: 'Requests refused with 503 before inference: QUEUE_FULL (MAX_QUEUE_SIZE requests waiting) or SHUTTING_DOWN',
      labelNames: ['code'] as const,
      registers,
    }),
    maxQueueSize: new Gauge({
      name: 'model_server_max_queue_size',
      help: 'Requests the batching queue holds before QUEUE_FULL (MAX_QUEUE_SIZE)',
      registers,
    }),
  };
  // both series exist from the start, so rate() and alerts see 0 rather than nothing
  for (const code of REJECTION_CODES) metrics.rejected.inc({ code }, 0);
  collectDefaultMetrics({ register: registry });
  return { ...metrics, requestsInFlight };
}

export type Metrics = ReturnType<typeof createMetrics>;

declare module 'fastify' {
  interface FastifyInstance {
    metrics: Metrics;
  }
  interface FastifyRequest {
    startedAt: number;
  }
}

export default fp(
  async (app) => {
    const metrics = createMetrics();
    app.decorate('metrics', metrics);
    app.decorateRequest('startedAt', 0);
    // The labelled children per route, method and status are looked up once and kept: no
    // label object hashed per request (prom-client's inc(labels) builds a key each time).
    const children = new Map<string, { count: { inc(): void }; duration: { observe(v: number): void } }>();
    const childFor = (route: string, method: string, statusCode: number) => {
      const key = `${method} ${statusCode} ${route}`;
      let child = children.get(key);
      if (child === undefined) {
        const labels = { route, method, status: String(statusCode) };
        child = { count: metrics.requests.labels(labels), duration: metrics.requestDuration.labels(labels) };
        children.set(key, child);
      }
      return child;
    };
    app.addHook('onRequest', (request, _reply, done) => {
      request.startedAt = performance.now();
      metrics.requestsInFlight.count += 1;
      done();
    });
    app.addHook('onResponse', (request, reply, done) => {
      metrics.requestsInFlight.count -= 1;
      const child = childFor(request.routeOptions.url ?? 'unmatched', request.method, reply.statusCode);
      child.count.inc();
      child.duration.observe((performance.now() - request.startedAt) / 1000);
      done();
    });
    app.addHook('onClose', async () => {
      children.clear();
      metrics.registry.clear();
    });
  },
  { name: 'metrics', fastify: '5.x' },
);
