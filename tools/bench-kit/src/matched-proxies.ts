/**
 * One proxy setup, written for NGINX and for fleet's balancer alike, so the two are compared
 * configured the same way: the same upstream `server` lines (NGINX syntax, which fleet reads
 * too), keepalive to the replicas, retries on error/timeout/502/503/504 including POST
 * (`non_idempotent`; fleet retries POST /predict by default), 3 tries, a 1 s connect timeout,
 * the same client header and keep-alive timeouts, no access log.
 */
import { mergeJson, type JsonObject } from './merge.js';
import type { NginxSettings } from './nginx.js';

/** Upstream `server` parameters of seed 000: 3 failures within 30 s take a replica out for 30 s. */
export const SEED_SERVER_PARAMS = 'max_fails=3 fail_timeout=30s';

/** `server` lines for replicas on loopback ports, with seed 000's parameters. */
export function serverLines(ports: readonly number[], params = SEED_SERVER_PARAMS): string[] {
  return ports.map((p) => `127.0.0.1:${p} ${params}`);
}

export interface ProxySetup {
  port: number;
  /** fleet's admin listener (NGINX has none). */
  adminPort: number;
  servers: readonly string[];
  /** NGINX `worker_processes` (fleet is one process). */
  workers?: number | 'auto';
  keepalive?: number;
  /** Client header timeout, seconds: NGINX `client_header_timeout`, fleet `limits.headersTimeoutMs`. */
  headerTimeoutS?: number;
  /** Laid over fleet's generated config (`mergeJson`), e.g. `{ upstreams: { default: { client: 'undici' } } }`. */
  fleetOverrides?: JsonObject;
}

const KEEPALIVE = 64;
const TRIES = 3;
const HEADER_TIMEOUT_S = 10; // fleet's default; NGINX's is 60 s
const KEEPALIVE_TIMEOUT_S = 65; // fleet's default; NGINX's is 75 s

export function nginxSettingsFor(s: ProxySetup): NginxSettings {
  return {
    port: s.port,
    servers: s.servers,
    workers: s.workers ?? 1,
    keepalive: s.keepalive ?? KEEPALIVE,
    nextUpstream: 'error timeout http_502 http_503 http_504 non_idempotent',
    nextUpstreamTries: TRIES,
    timeouts: { connect: '1s', clientHeader: `${s.headerTimeoutS ?? HEADER_TIMEOUT_S}s`, keepalive: `${KEEPALIVE_TIMEOUT_S}s` },
    clientMaxBodySize: '1m',
  };
}

/** The balancer's config file (JSON) for the same setup. */
export function fleetConfigFor(s: ProxySetup): JsonObject {
  return mergeJson(matchedFleetConfig(s), s.fleetOverrides ?? {});
}

function matchedFleetConfig(s: ProxySetup): JsonObject {
  return {
    listen: { host: '127.0.0.1', port: s.port },
    admin: { host: '127.0.0.1', port: s.adminPort },
    upstreams: {
      default: {
        servers: s.servers,
        keepalive: { connections: s.keepalive ?? KEEPALIVE },
        timeouts: { connectMs: 1000 },
        nextUpstream: { on: ['error', 'timeout', 'http_502', 'http_503', 'http_504'], tries: TRIES },
      },
    },
    limits: { headersTimeoutMs: (s.headerTimeoutS ?? HEADER_TIMEOUT_S) * 1000, keepAliveTimeoutMs: KEEPALIVE_TIMEOUT_S * 1000, clientMaxBodySize: '1m' },
    accessLog: { enabled: false },
    logLevel: 'warn',
  };
}
