/** The model-server's configuration. */
import { hostname } from 'node:os';
import { z } from 'zod';
import { duration, host, logLevel, nonEmpty, nonNegativeInt, port, positiveInt, size, strict } from './fields.js';

const WORKERS_HINT = 'must be "auto" or an integer >= 0';
/** WORKERS: `auto` or a count of worker threads (0 = the main thread only). */
export const workerCount = z
  .union([z.literal('auto'), z.number()], { error: WORKERS_HINT })
  .refine((v) => v === 'auto' || (Number.isInteger(v) && v >= 0), WORKERS_HINT);

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
  /**
   * `POST /bench/echo`: the `/predict` route without inference (same body schema, hooks and
   * response schema, a constant prediction per text), so a benchmark can measure the HTTP
   * floor in the same app. Off by default; never needed in production.
   */
  benchEcho: z.boolean().default(false),
  /** One JSON log line per request (request id, trace context, status, time). */
  accessLog: z.boolean().default(false),
  /**
   * Inference executors: `auto` (the default) = the main thread for batches the executor policy
   * finds cheap to run inline, plus one worker thread per core for the rest; `0` = main thread
   * only; N = the policy with N worker threads.
   */
  workers: workerCount.default('auto'),
  intraOpThreads: nonNegativeInt.default(0),
  drain: strict({ delayMs: duration().default(1000), timeoutMs: duration().default(30_000) }).prefault({}),
});

export type ModelServerConfig = z.output<typeof modelServerConfigSchema>;
