/** The model-server's configuration. */
import { hostname } from 'node:os';
import { z } from 'zod';
import { duration, host, logLevel, nonEmpty, nonNegativeInt, port, positiveInt, size, strict } from './fields.js';

export const modelServerConfigSchema = strict({
  host: host.default('127.0.0.1'),
  port: port.default(8000),
  serverId: nonEmpty.default(() => hostname()),
  modelPath: nonEmpty.optional(),
  modelName: nonEmpty.optional(),
  logLevel: logLevel.default('info'),
  bodyLimit: size({ positive: true }).default(1024 * 1024),
  batching: strict({
    maxBatchSize: positiveInt.default(32),
    maxQueueDelayMs: duration().default(2),
    maxQueueSize: positiveInt.default(1024),
    /**
     * Padded cells (rows × the longest row's width, e.g. tokens) one batch may hold; a request
     * with more is split. 32 rows × 512 tokens: the reference model's largest default batch.
     */
    maxBatchCells: positiveInt.default(32 * 512),
  }).prefault({}),
  limits: strict({
    /** Rows (texts, or the batch dimension of a v2 input) one request may carry. */
    maxRequestRows: positiveInt.default(256),
  }).prefault({}),
  /** Swagger UI at /docs (the OpenAPI document at /docs/json stays either way). */
  docs: z.boolean().default(true),
  /** One JSON log line per request (request id, trace context, status, time). */
  accessLog: z.boolean().default(false),
  workers: nonNegativeInt.default(0),
  intraOpThreads: nonNegativeInt.default(0),
  drain: strict({ delayMs: duration().default(1000), timeoutMs: duration().default(30_000) }).prefault({}),
});

export type ModelServerConfig = z.output<typeof modelServerConfigSchema>;
