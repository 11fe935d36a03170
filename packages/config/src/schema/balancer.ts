/** The balancer's configuration: listeners, upstream groups, routes, limits. */
import { z } from 'zod';
import { isPlainObject } from '../objects.js';
import { NO_VALUE } from '../zod-issues.js';
import {
  addressOrCidr,
  duration,
  host,
  logLevel,
  nginxKey,
  nonEmpty,
  nonNegativeInt,
  port,
  positiveInt,
  rate,
  regexSource,
  size,
  strict,
  urlPath,
} from './fields.js';
import { upstreamGroupSchema } from './upstream.js';

const MiB = 1024 * 1024;

export const routeSchema = strict({
  prefix: urlPath,
  upstream: nonEmpty,
  retryNonIdempotent: z.boolean().default(false),
  websocketIdleTimeoutMs: duration().default(3_600_000),
  stripPrefix: z.boolean().default(false),
  perTryTimeout: z.boolean().default(false),
});
export type RouteConfig = z.output<typeof routeSchema>;

const rateLimit = strict({
  rate: rate(),
  burst: nonNegativeInt.default(0),
  nodelay: z.boolean().default(false),
  delay: nonNegativeInt.default(0),
  key: nginxKey.default('$binary_remote_addr'),
  status: z.number().int().min(400).max(599).default(429),
  zoneSize: size({ positive: true }).optional(),
});

const limits = strict({
  rateLimit: rateLimit.optional(),
  clientMaxBodySize: size().default(MiB),
  maxHeaderSize: size({ positive: true }).default(16_384),
  maxHeaderCount: positiveInt.default(100),
  maxRequestLineSize: size({ positive: true }).default(8192),
  clientBodyBufferSize: size().default(16_384),
  clientBodyMemory: size().default(16 * MiB),
  clientBodyTempPath: nonEmpty.optional(),
  headersTimeoutMs: duration().default(10_000),
  requestTimeoutMs: duration().default(60_000),
  keepAliveTimeoutMs: duration().default(65_000),
  deny: z.array(regexSource).default(() => ['/\\.(?!well-known)']),
});

const https = strict({
  port,
  cert: nonEmpty,
  key: nonEmpty,
  http2: z.boolean().default(false),
  redirectHttp: z.boolean().default(false),
});

const staticMount = strict({ prefix: urlPath, root: nonEmpty, maxAgeMs: duration().default(0) });

const HEADER_NAME = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;
const GROUP_NAME = /^[A-Za-z0-9_.-]+$/;

/**
 * What serves the plain HTTP listener: `node` (node:http) or `engine` (the balancer's own
 * HTTP/1.1 server on owned sockets, apps/balancer src/engine/client). Default `engine` (cheaper in
 * CPU per request than node:http at no more RSS: apps/balancer README, "Default listener").
 */
export const LISTEN_SERVERS = ['engine', 'node'] as const;

const balancerObject = strict({
  listen: strict({ host: host.default('127.0.0.1'), port: port.default(8080), server: z.enum(LISTEN_SERVERS).default('engine') }).prefault({}),
  https: https.optional(),
  admin: strict({ host: host.default('127.0.0.1'), port: port.default(8081), token: nonEmpty.optional() }).prefault({}),
  upstreams: z.record(z.string(), upstreamGroupSchema).default(() => ({})),
  routes: z.array(routeSchema).optional(),
  trustedProxies: z.array(addressOrCidr).default(() => []),
  realIpHeader: z
    .string()
    .regex(HEADER_NAME, 'must be an HTTP header name')
    .transform((v) => v.toLowerCase())
    .default('x-forwarded-for'),
  limits: limits.prefault({}),
  requestBuffering: z.boolean().default(true),
  static: z.array(staticMount).default(() => []),
  accessLog: strict({
    enabled: z.boolean().default(true),
    skipPaths: z.array(urlPath).default(() => ['/health', '/health/live', '/health/ready']),
  }).prefault({}),
  retryBudget: strict({ ratio: z.number().min(0).max(1).default(0.2), minRetries: nonNegativeInt.default(3) }).prefault({}),
  shutdown: strict({ timeoutMs: duration().default(30_000) }).prefault({}),
  logLevel: logLevel.default('info'),
});

export const NO_UPSTREAMS_MESSAGE = 'at least one upstream group with servers is required (set UPSTREAMS or a config file)';

function addIssue(ctx: z.core.$RefinementCtx, path: PropertyKey[], message: string): void {
  ctx.addIssue({ code: 'custom', path, message, params: NO_VALUE });
}

function checkRoutes(routes: unknown[], groups: string[], ctx: z.core.$RefinementCtx): void {
  const seen = new Set<string>();
  routes.forEach((route, i) => {
    if (!isPlainObject(route)) return;
    const { prefix, upstream } = route;
    if (typeof upstream === 'string' && groups.length > 0 && !groups.includes(upstream)) {
      addIssue(ctx, ['routes', i, 'upstream'], `unknown upstream group "${upstream}" (defined: ${groups.join(', ')})`);
    }
    if (typeof prefix === 'string' && seen.has(prefix)) addIssue(ctx, ['routes', i, 'prefix'], `duplicate route prefix "${prefix}"`);
    if (typeof prefix === 'string') seen.add(prefix);
  });
}

/** Two listeners on the same host and (non-zero) port would fail at bind time; say it now. */
function checkPorts(config: Record<string, unknown>, ctx: z.core.$RefinementCtx): void {
  const listen = config['listen'];
  if (!isPlainObject(listen) || typeof listen['port'] !== 'number' || listen['port'] === 0) return;
  for (const key of ['admin', 'https']) {
    const other = config[key];
    if (isPlainObject(other) && other['port'] === listen['port'] && (other['host'] ?? listen['host']) === listen['host']) {
      addIssue(ctx, [key, 'port'], `must differ from listen.port (${listen['port']})`);
    }
  }
}

/** Cross-field rules, run even when other fields failed so one error lists everything. */
function checkBalancer(config: unknown, ctx: z.core.$RefinementCtx): void {
  if (!isPlainObject(config)) return;
  checkPorts(config, ctx);
  const upstreams = isPlainObject(config['upstreams']) ? config['upstreams'] : {};
  const groups = Object.keys(upstreams);
  if (groups.length === 0) addIssue(ctx, ['upstreams'], NO_UPSTREAMS_MESSAGE);
  for (const name of groups) {
    if (!GROUP_NAME.test(name)) addIssue(ctx, ['upstreams', name], 'group names may use only letters, digits, "_", "." and "-"');
  }
  const routes = config['routes'];
  if (Array.isArray(routes)) checkRoutes(routes, groups, ctx);
  else if (groups.length > 1) {
    addIssue(ctx, ['routes'], `are required when there are several upstream groups (${groups.join(', ')})`);
  }
}

/** Routes used when none are configured: inference paths may be retried (they are idempotent). */
export function defaultRoutes(upstream: string): RouteConfig[] {
  return [
    { prefix: '/predict', upstream, retryNonIdempotent: true, perTryTimeout: true },
    { prefix: '/v2/', upstream, retryNonIdempotent: true, perTryTimeout: true },
    { prefix: '/', upstream, retryNonIdempotent: false },
  ].map((route) => routeSchema.parse(route));
}

export const balancerConfigSchema = balancerObject
  .superRefine(checkBalancer, { when: () => true })
  .transform(({ routes, ...config }) => ({
    ...config,
    routes: routes ?? defaultRoutes(Object.keys(config.upstreams)[0] ?? 'default'),
  }));

export type BalancerConfig = z.output<typeof balancerConfigSchema>;
