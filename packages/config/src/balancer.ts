/**
 * loadBalancerConfig: defaults < file < env. UPSTREAMS (NGINX server lines, comma-separated)
 * defines/overrides group `default`; STRATEGY and HASH_KEY apply to that group; HEALTH_CHECK
 * switches active checks for every group.
 */
import { z } from 'zod';
import { BOOLEAN_HINT, envValue, parseEnvBoolean, type EnvVar } from './env.js';
import { withValue, type ConfigIssue } from './errors.js';
import { load, validate, type LoadOptions, type Sources } from './load.js';
import { isPlainObject, setPath, type PlainObject } from './objects.js';
import { NO_UPSTREAMS_MESSAGE, balancerConfigSchema, type BalancerConfig } from './schema/balancer.js';
import { addressOrCidr, host, logLevel, nginxKey, nonEmpty, nonNegativeInt, port, rate, size } from './schema/fields.js';
import { strategySchema } from './schema/upstream.js';
import { upstreamsListSchema } from './upstreams.js';

/** The group UPSTREAMS, STRATEGY and HASH_KEY define. */
export const DEFAULT_GROUP = 'default';
const group = (key: string) => ['upstreams', DEFAULT_GROUP, key];

export const BALANCER_ENV: readonly EnvVar[] = [
  { name: 'HOST', path: ['listen', 'host'], kind: 'string', schema: host },
  { name: 'PORT', path: ['listen', 'port'], kind: 'number', schema: port },
  { name: 'UPSTREAMS', path: group('servers'), kind: 'string', schema: upstreamsListSchema },
  { name: 'STRATEGY', path: group('strategy'), kind: 'string', schema: strategySchema },
  { name: 'HASH_KEY', path: group('hashKey'), kind: 'string', schema: nginxKey },
  { name: 'ADMIN_HOST', path: ['admin', 'host'], kind: 'string', schema: host },
  { name: 'ADMIN_PORT', path: ['admin', 'port'], kind: 'number', schema: port },
  { name: 'ADMIN_TOKEN', path: ['admin', 'token'], kind: 'string', schema: nonEmpty },
  { name: 'TRUSTED_PROXIES', path: ['trustedProxies'], kind: 'list', schema: z.array(addressOrCidr) },
  { name: 'RATE_LIMIT', path: ['limits', 'rateLimit', 'rate'], kind: 'string', schema: rate() },
  { name: 'RATE_BURST', path: ['limits', 'rateLimit', 'burst'], kind: 'number', schema: nonNegativeInt },
  { name: 'CLIENT_MAX_BODY_SIZE', path: ['limits', 'clientMaxBodySize'], kind: 'string', schema: size() },
  { name: 'LOG_LEVEL', path: ['logLevel'], kind: 'string', schema: logLevel },
  { name: 'ACCESS_LOG', path: ['accessLog', 'enabled'], kind: 'boolean', schema: z.boolean() },
];

function at(node: unknown, ...keys: string[]): unknown {
  return keys.reduce<unknown>((n, key) => (isPlainObject(n) ? n[key] : undefined), node);
}

const NO_DEFAULT_GROUP = `applies to upstream group "${DEFAULT_GROUP}", which is not defined (set UPSTREAMS or upstreams.${DEFAULT_GROUP} in the config file)`;

/** STRATEGY / HASH_KEY / RATE_BURST need something to apply to; say so under the env var's name. */
function checkEnvTargets(merged: PlainObject, { env, file, fromEnv }: Sources, issues: ConfigIssue[]): void {
  const envGroup = at(fromEnv, 'upstreams', DEFAULT_GROUP);
  if (at(file, 'upstreams', DEFAULT_GROUP) === undefined && at(envGroup, 'servers') === undefined) {
    // UPSTREAMS is unset or invalid (then already reported): STRATEGY alone must not create the group.
    const upstreams = at(merged, 'upstreams');
    if (isPlainObject(upstreams)) delete upstreams[DEFAULT_GROUP];
    if (!envValue(env, 'UPSTREAMS')) {
      if (at(envGroup, 'strategy') !== undefined) issues.push({ path: 'STRATEGY', message: NO_DEFAULT_GROUP });
      if (at(envGroup, 'hashKey') !== undefined) issues.push({ path: 'HASH_KEY', message: NO_DEFAULT_GROUP });
    }
  }
  const limits = at(merged, 'limits');
  const burstOnly = at(fromEnv, 'limits', 'rateLimit', 'burst') !== undefined && !envValue(env, 'RATE_LIMIT');
  if (burstOnly && isPlainObject(limits) && at(limits, 'rateLimit', 'rate') === undefined) {
    issues.push({ path: 'RATE_BURST', message: 'needs a rate (set RATE_LIMIT or limits.rateLimit.rate in the config file)' });
    delete limits['rateLimit'];
  }
}

/** HEALTH_CHECK=on|off sets healthCheck.enabled on every group. */
function applyHealthCheck(merged: PlainObject, env: Sources['env'], issues: ConfigIssue[]): void {
  const value = envValue(env, 'HEALTH_CHECK');
  if (value === undefined) return;
  const enabled = parseEnvBoolean(value);
  if (enabled === undefined) {
    issues.push({ path: 'HEALTH_CHECK', message: withValue(BOOLEAN_HINT, value) });
    return;
  }
  const upstreams = at(merged, 'upstreams');
  if (!isPlainObject(upstreams)) return;
  for (const [name, config] of Object.entries(upstreams)) {
    if (isPlainObject(config)) upstreams[name] = { ...config, healthCheck: { ...(at(config, 'healthCheck') as object), enabled } };
  }
}

function adjust(merged: PlainObject, sources: Sources, issues: ConfigIssue[]): PlainObject {
  checkEnvTargets(merged, sources, issues);
  applyHealthCheck(merged, sources.env, issues);
  return merged;
}

/** A bad UPSTREAMS is reported itself; "no upstream group" would only repeat it. */
function prune(issues: ConfigIssue[]): ConfigIssue[] {
  if (!issues.some((issue) => issue.path.startsWith('UPSTREAMS'))) return issues;
  return issues.filter((issue) => !(issue.path === 'upstreams' && issue.message === NO_UPSTREAMS_MESSAGE));
}

/** Loads, validates and deep-freezes the balancer config; throws ConfigError listing every problem. */
export function loadBalancerConfig(opts: LoadOptions = {}): BalancerConfig {
  return load(balancerConfigSchema, BALANCER_ENV, opts, { adjust, prune });
}

/** Validates a config object (file shape, no env) and freezes it. */
export function parseBalancerConfig(raw: unknown): BalancerConfig {
  return validate(balancerConfigSchema, raw);
}

/** All defaults around one upstream group `default` made of `upstreams` (UPSTREAMS syntax), frozen. */
export function defaultBalancerConfig(upstreams = '127.0.0.1:8001'): BalancerConfig {
  const raw: PlainObject = {};
  setPath(raw, group('servers'), upstreams.split(',').map((line) => line.trim()).filter(Boolean));
  return parseBalancerConfig(raw);
}
