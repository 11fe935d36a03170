import type { BalancerErrorCode } from './errors.js';

/**
 * undici / socket errors → the balancer's codes, the next-upstream reason (`error` or
 * `timeout`, NGINX `proxy_next_upstream`) and whether the request may have reached the peer.
 * Connect-phase failures never sent a byte, so even non-idempotent requests may retry them.
 */
export interface ClassifiedError {
  code: BalancerErrorCode;
  reason: 'error' | 'timeout';
  sent: boolean;
  detail: string;
}

const CONNECT_FAILURES: ReadonlySet<string> = new Set([
  'ECONNREFUSED',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'EADDRNOTAVAIL',
  'ENOTFOUND',
  'EAI_AGAIN',
]);

function errorCode(err: unknown): string {
  if (typeof err !== 'object' || err === null) return 'UNKNOWN';
  const e = err as { code?: unknown; errors?: unknown[]; name?: unknown };
  if (typeof e.code === 'string') return e.code;
  const inner = Array.isArray(e.errors) ? e.errors[0] : undefined;
  if (inner !== undefined) return errorCode(inner);
  return typeof e.name === 'string' ? e.name : 'UNKNOWN';
}

export function classifyUpstreamError(err: unknown): ClassifiedError {
  const detail = errorCode(err);
  if (detail === 'UND_ERR_CONNECT_TIMEOUT') return { code: 'UPSTREAM_TIMEOUT', reason: 'timeout', sent: false, detail };
  if (CONNECT_FAILURES.has(detail)) return { code: 'UPSTREAM_CONNECT_FAILED', reason: 'error', sent: false, detail };
  if (detail === 'UND_ERR_HEADERS_TIMEOUT' || detail === 'UND_ERR_BODY_TIMEOUT' || detail === 'TimeoutError') {
    return { code: 'UPSTREAM_TIMEOUT', reason: 'timeout', sent: true, detail };
  }
  return { code: 'UPSTREAM_ERROR', reason: 'error', sent: true, detail };
}

export const CLIENT_MESSAGES: Partial<Record<BalancerErrorCode, string>> = {
  UPSTREAM_CONNECT_FAILED: 'could not connect to an upstream server',
  UPSTREAM_TIMEOUT: 'upstream server timed out',
  UPSTREAM_ERROR: 'upstream server failed',
  NO_LIVE_UPSTREAM: 'no live upstream server',
  ALL_UPSTREAMS_BUSY: 'every upstream server is at its connection limit',
};
