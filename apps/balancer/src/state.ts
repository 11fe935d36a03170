import type { IncomingMessage, ServerResponse } from 'node:http';
import type { BalancerConfig } from '@fleet/config';
import { createForwarding, type Forwarding } from './forwarded.js';
import { compileHashKey, type HashKeyFn } from './hash-key.js';
import { createLimits, type Limits } from './limits/index.js';
import { checkBodyTempPath } from './limits/temp-path.js';
import type { RequestTarget } from './request-target.js';
import { createRouter, type Router } from './routes.js';
import { createStatic } from './static.js';

/**
 * Everything derived from one config that the request path reads. Built whole before it
 * replaces the previous one, so a reload either applies completely or not at all, and a
 * request in flight keeps the state it started with.
 */
export interface RuntimeState {
  config: BalancerConfig;
  router: Router;
  forwarding: Forwarding;
  limits: Limits;
  /** Null without static mounts, so the request path skips an async call per request. */
  serveStatic: ((req: IncomingMessage, res: ServerResponse, url: RequestTarget) => Promise<boolean>) | null;
  /** Compiled `hash` keys per upstream group (groups without a key are absent). */
  hashKeys: ReadonlyMap<string, HashKeyFn>;
}

/** Throws (bad CIDR, hash key, regex, unusable body temp dir) before anything is swapped. */
export function buildState(config: BalancerConfig, now: () => number): RuntimeState {
  checkBodyTempPath(config);
  const hashKeys = new Map<string, HashKeyFn>();
  for (const [name, group] of Object.entries(config.upstreams)) {
    if (group.hashKey !== undefined && group.hashKey !== '') hashKeys.set(name, compileHashKey(group.hashKey));
  }
  return {
    config,
    router: createRouter(config.routes),
    forwarding: createForwarding({ trustedProxies: config.trustedProxies, realIpHeader: config.realIpHeader }),
    limits: createLimits(config.limits, { now }),
    serveStatic: config.static.length === 0 ? null : createStatic(config.static),
    hashKeys,
  };
}
