/**
 * loadModelServerConfig: defaults < file < env (HOST, PORT, SERVER_ID, MODEL_PATH, ...).
 * Also the `@fleet/config/model-server` entry: a replica imports only this (and the header
 * grammars), not the balancer's schemas and lb-core that the package index loads.
 */
import { z } from 'zod';
import type { EnvVar } from './env.js';
import { load, validate, type LoadOptions } from './load.js';
import { host, logLevel, nonEmpty, nonNegativeInt, port, positiveInt, duration, size } from './schema/fields.js';
import { modelServerConfigSchema, workerCount, type ModelServerConfig } from './schema/model-server.js';

export type { ModelServerConfig } from './schema/model-server.js';

export const MODEL_SERVER_ENV: readonly EnvVar[] = [
  { name: 'HOST', path: ['host'], kind: 'string', schema: host },
  { name: 'PORT', path: ['port'], kind: 'number', schema: port },
  { name: 'SERVER_ID', path: ['serverId'], kind: 'string', schema: nonEmpty },
  { name: 'MODEL_PATH', path: ['modelPath'], kind: 'string', schema: nonEmpty },
  { name: 'MODEL_NAME', path: ['modelName'], kind: 'string', schema: nonEmpty },
  { name: 'LOG_LEVEL', path: ['logLevel'], kind: 'string', schema: logLevel },
  { name: 'BODY_LIMIT', path: ['bodyLimit'], kind: 'string', schema: size({ positive: true }) },
  { name: 'MAX_BATCH_SIZE', path: ['batching', 'maxBatchSize'], kind: 'number', schema: positiveInt },
  { name: 'MAX_QUEUE_DELAY', path: ['batching', 'maxQueueDelayMs'], kind: 'string', schema: duration() },
  { name: 'MAX_QUEUE_SIZE', path: ['batching', 'maxQueueSize'], kind: 'number', schema: positiveInt },
  { name: 'MAX_BATCH_CELLS', path: ['batching', 'maxBatchCells'], kind: 'number', schema: positiveInt },
  { name: 'MAX_REQUEST_ROWS', path: ['limits', 'maxRequestRows'], kind: 'number', schema: positiveInt },
  { name: 'WORKERS', path: ['workers'], kind: 'number', schema: workerCount },
  { name: 'INTRA_OP_THREADS', path: ['intraOpThreads'], kind: 'number', schema: nonNegativeInt },
  { name: 'DRAIN_DELAY', path: ['drain', 'delayMs'], kind: 'string', schema: duration() },
  { name: 'DRAIN_TIMEOUT', path: ['drain', 'timeoutMs'], kind: 'string', schema: duration() },
  { name: 'DOCS', path: ['docs'], kind: 'boolean', schema: z.boolean() },
  { name: 'ACCESS_LOG', path: ['accessLog'], kind: 'boolean', schema: z.boolean() },
  { name: 'BENCH_ECHO', path: ['benchEcho'], kind: 'boolean', schema: z.boolean() },
];

/** Loads, validates and deep-freezes the model-server config; throws ConfigError listing every problem. */
export function loadModelServerConfig(opts: LoadOptions = {}): ModelServerConfig {
  return load(modelServerConfigSchema, MODEL_SERVER_ENV, opts);
}

/** Validates a config object (file shape, no env) and freezes it. */
export function parseModelServerConfig(raw: unknown): ModelServerConfig {
  return validate(modelServerConfigSchema, raw);
}

/** Every default (serverId = os.hostname()), frozen. */
export function defaultModelServerConfig(): ModelServerConfig {
  return parseModelServerConfig({});
}
