/** An upstream group: strategy, servers and the per-group proxy settings. */
import { STRATEGY_NAMES } from '@fleet/lb-core';
import { z } from 'zod';
import { isPlainObject } from '../objects.js';
import { NO_VALUE } from '../zod-issues.js';
import { duration, nginxKey, nonNegativeInt, positiveInt, strict, urlPath } from './fields.js';
import { serverEntrySchema } from './server.js';

export { STRATEGY_NAMES };

export const NEXT_UPSTREAM_CONDITIONS = [
  'error',
  'timeout',
  'http_500',
  'http_502',
  'http_503',
  'http_504',
  'http_429',
] as const;
export type NextUpstreamCondition = (typeof NEXT_UPSTREAM_CONDITIONS)[number];
const DEFAULT_NEXT_UPSTREAM: readonly NextUpstreamCondition[] = ['error', 'timeout', 'http_502', 'http_503', 'http_504'];

/** Strategies NGINX refuses `backup` with (hash picks one peer per key; there is no tier to fall back to). */
export const STRATEGIES_WITHOUT_BACKUP: readonly string[] = ['hash', 'ip_hash'];

export const strategySchema = z.enum(STRATEGY_NAMES);

const keepalive = strict({
  connections: nonNegativeInt.default(64),
  idleTimeoutMs: duration().default(4000),
});

const timeouts = strict({
  connectMs: duration().default(1000),
  headersMs: duration().default(60_000),
  bodyIdleMs: duration().default(60_000),
});

const nextUpstream = strict({
  on: z.array(z.enum(NEXT_UPSTREAM_CONDITIONS)).default(() => [...DEFAULT_NEXT_UPSTREAM]),
  tries: nonNegativeInt.default(3),
  timeoutMs: duration().default(0),
});

/**
 * Per-try timeout derived from the group's observed latency (quantile × factor, at least minMs,
 * at most maxMs), applied on routes with `perTryTimeout: true` to requests that may be retried.
 * `hedge: true` keeps the first attempt running and races a second one on another peer (Envoy
 * `hedge_on_per_try_timeout`); `false` abandons it and retries.
 */
const perTry = strict({
  quantile: z.number().gt(0).max(1).default(0.99),
  factor: z.number().min(1).default(3),
  minMs: duration().default(250),
  maxMs: duration().default(0),
  minSamples: positiveInt.default(20),
  hedge: z.boolean().default(true),
});

const healthCheck = strict({
  enabled: z.boolean().default(false),
  path: urlPath.default('/health/ready'),
  intervalMs: duration({ positive: true }).default(5000),
  timeoutMs: duration({ positive: true }).default(1000),
  fails: positiveInt.default(1),
  passes: positiveInt.default(1),
  expectStatus: z.number().int().min(100).max(599).default(200),
});

const resolve = strict({ intervalMs: duration({ positive: true }).default(5000) });

/** Cross-field rules; runs on partially valid input too, so every problem is reported at once. */
function checkGroup(group: unknown, ctx: z.core.$RefinementCtx): void {
  if (!isPlainObject(group)) return;
  const strategy = group['strategy'];
  if (strategy === 'hash' && group['hashKey'] === undefined) {
    ctx.addIssue({ code: 'custom', path: ['hashKey'], message: 'is required when strategy is "hash"', params: NO_VALUE });
  }
  if (group['consistent'] === true && strategy !== 'hash') {
    ctx.addIssue({ code: 'custom', path: ['consistent'], message: 'only applies to strategy "hash"', params: NO_VALUE });
  }
  const servers = Array.isArray(group['servers']) ? (group['servers'] as unknown[]) : [];
  if (typeof strategy === 'string' && STRATEGIES_WITHOUT_BACKUP.includes(strategy)) {
    servers.forEach((server, i) => {
      if (isPlainObject(server) && server['backup'] === true) {
        const message = `cannot be used with strategy "${strategy}" (NGINX: backup is not supported by hash and ip_hash)`;
        ctx.addIssue({ code: 'custom', path: ['servers', i, 'backup'], message, params: NO_VALUE });
      }
    });
  }
}

export const UPSTREAM_CLIENTS = ['engine', 'undici'] as const;

export const upstreamGroupSchema = strict({
  strategy: strategySchema.default('round_robin'),
  hashKey: nginxKey.optional(),
  consistent: z.boolean().default(false),
  servers: z.array(serverEntrySchema).min(1),
  keepalive: keepalive.prefault({}),
  timeouts: timeouts.prefault({}),
  nextUpstream: nextUpstream.prefault({}),
  perTry: perTry.prefault({}),
  healthCheck: healthCheck.prefault({}),
  resolve: resolve.prefault({}),
  leastTimeDecayMs: duration({ positive: true }).default(10_000),
  /**
   * The HTTP/1.1 client plain requests go through: the balancer's own engine (sockets it owns,
   * llhttp framing) or undici's Pool (the previous path, kept to compare and fall back to).
   */
  client: z.enum(UPSTREAM_CLIENTS).default('engine'),
}).superRefine(checkGroup, { when: () => true });

export type UpstreamGroupConfig = z.output<typeof upstreamGroupSchema>;
